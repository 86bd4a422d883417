"""Align one cluster's messages into a table and find its variable slots.

Landmarks (constant leaves that occur at most once per message) cut each message into segments;
within a segment leaves are addressed by index-free path and ordinal, or, where a path repeats a
varying number of times, as rows of a repeated record. Each column that is not constant is split
into constant text and variable gaps by token alignment; every gap is a slot, a candidate field.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mailstencil.rules.address import LANDMARK, addresses, beside, claim, row_key
from mailstencil.rules.cluster import jaccard
from mailstencil.rules.dictionaries import column_types
from mailstencil.rules.dom import Leaf, split_label
from mailstencil.rules.model import Landmark, Selector, SlotAddress
from mailstencil.rules.patterns import Pattern, compile_pattern
from mailstencil.rules.skeleton import skeleton_html
from mailstencil.rules.text import tokenize
from mailstencil.rules.values import is_currency_token

from .dates import periods
from .defaults import DEFAULT_MIN_RECIPIENTS
from .names import names_reader
from .sample import Sample
from .tokalign import Template, align_values, lcs

__all__ = ["Slot", "ClusterTable", "induce"]

LANDMARK_SUPPORT = 0.5
SENTENCE_SUPPORT = 0.1
PLACE_SHARE = 0.6
SENTENCE_SIMILARITY = 0.5
ALTERNATIVE_SHARE = 0.5
_MAX_TOKENS = 60
_MAX_GROUPS = 50


@dataclass(slots=True)
class Slot(SlotAddress):
    """One variable gap of one column, at the column's address: a candidate field, with what the
    role model needs."""

    xpath: str
    kind: str
    template: Template
    gap: int
    values: list[list[str]]  # per member message (empty when absent)
    dtypes: dict[str, float]
    position: float  # relative position of the column in the message, 0..1
    before: list[str]  # constant texts before the slot, nearest first
    after: list[str]  # constant texts after the slot, nearest first
    inline_before: str
    inline_after: str
    link_text: str = ""
    # the nearest constant text on each side, whatever it is (a currency sign in an element of its
    # own): what types the value, at learning and, through the rule, at extraction
    near_before: str = ""
    near_after: str = ""
    own_address: float = 0.0  # share of values that are the message's own recipient address
    reader_name: float = 0.0  # share of values that name the reader (mailstencil.offline.names.names_reader)
    periods: list[str] = field(default_factory=list)  # when its dates fall, per value read as one
    line: int = -1  # its leaf in the first member (the skeleton's line), -1 when that one lacks it
    rows: list[int] = field(default_factory=list)  # a repeated slot's further leaves in the first member

    @property
    def repeated(self) -> bool:
        return self.mode == "rows"

    def pattern(self) -> str:
        return self.template.regex(self.gap)


@dataclass(slots=True)
class ClusterTable:
    """What induction found in one cluster."""

    landmarks: list[Landmark]
    selectors: list[Selector] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    skeleton: list[str] = field(default_factory=list)
    skeleton_html: str = ""  # the skeleton as the mail looks (mailstencil.rules.skeleton), constant text only
    members: list[Sample] = field(default_factory=list)  # the messages induced, in slot value order


def _landmarks(members: list[Sample], min_recipients: int) -> list[Landmark]:
    """Constant leaves that occur at most once per message, in enough messages and recipients.

    A frequent text is still a value when other messages show something else in its place: a
    text at the same path that never occurs together with it (one of a few products, say), or a
    text that moves among its path's leaves, at a fixed place neither from the first nor from
    the last nor at one indexed path (a popular product in a different row of each order; a
    totals label after a varying number of item rows keeps its indexed path).
    """
    df: Counter[tuple[str, str]] = Counter()
    multi: set[tuple[str, str]] = set()
    who: dict[tuple[str, str], set[str]] = defaultdict(set)
    where: dict[tuple[str, str], set[int]] = defaultdict(set)
    first_pos: dict[tuple[str, str], float] = {}
    places: dict[tuple[str, str], tuple[Counter[int], Counter[int], Counter[str]]] = defaultdict(
        lambda: (Counter(), Counter(), Counter())
    )
    for m, s in enumerate(members):
        seen: set[tuple[str, str]] = set()
        n = max(1, len(s.leaves))
        per_path = Counter(leaf.ipath for leaf in s.leaves)
        nth: Counter[str] = Counter()
        for i, leaf in enumerate(s.leaves):
            tok = (leaf.ipath, leaf.text)
            k = nth[leaf.ipath]
            nth[leaf.ipath] += 1
            if tok in seen:
                multi.add(tok)
            else:
                seen.add(tok)
                first_pos[tok] = first_pos.get(tok, 0.0) + i / n
                places[tok][0][k] += 1
                places[tok][1][per_path[leaf.ipath] - k] += 1
                places[tok][2][leaf.xpath] += 1
        df.update(seen)
        for tok in seen:
            who[tok].add(s.reader)
            where[tok].add(m)
    need = max(2.0, LANDMARK_SUPPORT * len(members))
    by_path: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for tok in where:
        by_path[tok[0]].append(tok)
    chosen = [
        tok
        for tok, c in df.items()
        if c >= need
        and tok not in multi
        and len(who[tok]) >= min(min_recipients, len(members))
        and not _has_alternative(tok, where, by_path[tok[0]], len(members))
        and _settled(places[tok], c)
    ]
    chosen.sort(key=lambda t: (first_pos[t] / df[t], t))  # ties by text: independent of hash order
    return [Landmark(ipath=ip, text=tx) for ip, tx in chosen]


def _settled(places: tuple[Counter[int], Counter[int], Counter[str]], n: int) -> bool:
    """Whether a text mostly sits at one place: among its path's leaves from the first or the
    last, or at one indexed path (the row a moving value sits in changes with the message)."""
    return any(c and c.most_common(1)[0][1] >= PLACE_SHARE * n for c in places)


def _has_alternative(
    tok: tuple[str, str], where: dict[tuple[str, str], set[int]], same_path: list[tuple[str, str]], n: int
) -> bool:
    """Whether most messages without ``tok`` show, at its path, a text that never occurs with it."""
    mine = where[tok]
    lacking = n - len(mine)
    if not lacking:
        return False
    covered: set[int] = set()
    for other in same_path:
        msgs = where[other]
        if other != tok and not (msgs & mine):
            covered |= msgs
    return len(covered) >= ALTERNATIVE_SHARE * lacking


@dataclass(slots=True)
class _Column(SlotAddress):
    """The leaves of one address in each member."""

    cells: list[list[int]]  # per member: leaf indices


def _divergence(xpaths: list[str]) -> int:
    """Index of the first path step where consecutive occurrences differ (the row element)."""
    depth = 10_000
    split = [x.split("/") for x in xpaths]
    for a, b in zip(split, split[1:], strict=False):
        for i, (sa, sb) in enumerate(zip(a, b, strict=False)):
            if sa != sb:
                depth = min(depth, i)
                break
    return depth


def _similar(a: list[str], b: list[str]) -> bool:
    """Two texts are renderings of one template sentence: most of their tokens align."""
    a, b = a[:_MAX_TOKENS], b[:_MAX_TOKENS]
    common = len(lcs(a, b))
    return common >= 2 and common >= SENTENCE_SIMILARITY * max(len(a), len(b))


def _sentence_groups(members: list[Sample], per: list[list[int]]) -> list[list[tuple[int, int]]]:
    """Occurrences (member, leaf) of one path grouped by shared constant text, once per member.

    Only groups in ``SENTENCE_SUPPORT`` of the members count (a cluster may hold a sentence in
    several languages or variants, each in a part of it), and only at a fixed place among the
    path's leaves (counted from the first or from the last): a template sentence stays at its
    place, while a value that recurs (a popular product) moves between rows. Nor does a sentence
    that messages show a varying number of times, nor any group like it: that is a cell of
    repeated rows (``Qty: 2`` in each item), which rows mode reads however many rows there are.
    """
    groups: list[tuple[list[str], list[tuple[int, int]], set[int]]] = []
    times: list[Counter[int]] = []  # per group: how often each member shows its sentence
    for m, cell in enumerate(per):
        for i in cell:
            toks = tokenize(members[m].leaves[i].text)
            joined = False
            for g, (rep, occ, who) in enumerate(groups):
                if (m in who or not joined) and _similar(rep, toks):
                    times[g][m] += 1
                    if m not in who:
                        occ.append((m, i))
                        who.add(m)
                        joined = True
                        break
            if not joined and len(groups) < _MAX_GROUPS:
                groups.append((toks, [(m, i)], {m}))
                times.append(Counter({m: 1}))
    repeated = [rep for (rep, _, _), t in zip(groups, times, strict=True) if len(set(t.values())) > 1]
    need = max(2.0, SENTENCE_SUPPORT * len(members))
    return [
        occ
        for rep, occ, who in groups
        if len(who) >= need and _fixed_place(occ, per) and not any(_similar(r, rep) for r in repeated)
    ]


def _fixed_place(occ: list[tuple[int, int]], per: list[list[int]]) -> bool:
    from_start = {per[m].index(i) for m, i in occ}
    from_end = {len(per[m]) - per[m].index(i) for m, i in occ}
    return len(from_start) == 1 or len(from_end) == 1


def _selector(members: list[Sample], occ: list[tuple[int, int]]) -> str | None:
    """A regex that picks this sentence by its constant text, or None when it has too little."""
    aligned = align_values([members[m].leaves[i].text for m, i in occ])
    if aligned is None:
        return None
    template = aligned[0]
    const = [t for t in template.items if isinstance(t, str) and any(c.isalnum() for c in t)]
    if len(const) < 1:
        return None
    return template.regex()


def _columns(
    members: list[Sample], addr: list[list[tuple[int, int]]], selectors: list[Selector], min_recipients: int
) -> list[_Column]:
    groups: dict[tuple[int, str], list[list[int]]] = defaultdict(lambda: [[] for _ in members])
    for m, (s, a) in enumerate(zip(members, addr, strict=True)):
        for i, (anchor, ordinal) in enumerate(a):
            if ordinal != LANDMARK:
                groups[(anchor, s.leaves[i].ipath)][m].append(i)
    cols: list[_Column] = []
    need = min(min_recipients, len(members))
    for (anchor, ipath), per in groups.items():
        counts = [len(p) for p in per if p]
        if not counts:
            continue
        if min(counts) == max(counts) or max(counts) < 2:
            for j in range(max(counts)):
                cells = [[p[j]] if j < len(p) else [] for p in per]
                cols.append(_Column(anchor, ipath, "ordinal", j, -1, 0, "", cells))
            continue
        # varying counts: sentences with constant text are picked by it, the rest are rows
        compiled: list[tuple[int, Pattern]] = []
        sentences = _sentence_groups(members, per)
        depth = _row_depth(members, per)
        for occ in sentences:
            if len({members[m].reader for m, _ in occ}) < need:
                continue  # privacy: a selector's constant text must be k recipients' template
            if _row_cell(members, occ, per, depth):
                continue  # one of the repeated rows, read with them
            pattern = _selector(members, occ)
            if pattern is not None:
                compiled.append((len(selectors), compile_pattern(pattern)))
                selectors.append(Selector(anchor=anchor, ipath=ipath, pattern=pattern))
        free: list[list[int]] = []
        claimed: dict[int, list[list[int]]] = {sid: [[] for _ in members] for sid, _ in compiled}
        for m, p in enumerate(per):
            owners = claim([members[m].leaves[i].text for i in p], compiled)
            free.append([i for i, o in zip(p, owners, strict=True) if o == -1])
            for i, o in zip(p, owners, strict=True):
                if o != -1:
                    claimed[o][m].append(i)
        for sid, cells in claimed.items():
            cols.append(_Column(anchor, ipath, "match", 0, sid, 0, "", cells))
        counts = [len(p) for p in free if p]
        if not counts:
            continue
        if max(counts) < 2:
            cols.append(_Column(anchor, ipath, "ordinal", 0, -1, 0, "", [p[:1] for p in free]))
            continue
        depth = _row_depth(members, free)
        # the value on the anchor landmark's own line is read by its place, the rest as rows
        own_line = [
            _beside_anchor(members[m], a, anchor, p) for m, (a, p) in enumerate(zip(addr, free, strict=True))
        ]
        for j in range(max(len(b) for b in own_line)):
            cols.append(_Column(anchor, ipath, "ordinal", j, -1, 0, "", [b[j : j + 1] for b in own_line]))
        free = [[i for i in p if i not in b] for p, b in zip(free, own_line, strict=True)]
        xps = [members[m].leaves[i].xpath for m, p in enumerate(free) for i in p]
        for rel in dict.fromkeys(row_key(x, depth) for x in xps):
            cells = [
                [i for i in p if row_key(members[m].leaves[i].xpath, depth) == rel]
                for m, p in enumerate(free)
            ]
            cols.append(_Column(anchor, ipath, "rows", 0, -1, depth, rel, cells))
    return cols


def _row_depth(members: list[Sample], cells: list[list[int]]) -> int:
    """How deep the row element of a column's repeated leaves is: where consecutive leaves' paths
    first differ, shallowest over the members (0 when no member has two)."""
    depth = min(
        (_divergence([members[m].leaves[i].xpath for i in p]) for m, p in enumerate(cells) if len(p) > 1),
        default=0,
    )
    return 0 if depth >= 10_000 else depth


def _row_cell(
    members: list[Sample],
    occ: list[tuple[int, int]],
    per: list[list[int]],
    depth: int,
) -> bool:
    """Whether a template sentence is a cell of the column's repeated records: it shares its row
    with other cells, and another record of its message, of several cells too, holds other text
    in the same cell (an invoice's plan line above its add-ons), so it is one record among them,
    not a text picked by its words (a greeting, a paragraph of its own, stays one)."""
    if depth < 1:
        return False
    for m, i in occ:
        leaves = members[m].leaves
        rows: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for j in per[m]:
            rows[tuple(leaves[j].xpath.split("/")[: depth + 1])].append(j)
        mine = tuple(leaves[i].xpath.split("/")[: depth + 1])
        rel = row_key(leaves[i].xpath, depth)
        if len(rows[mine]) > 1 and any(
            row != mine and len(cells) > 1 and any(row_key(leaves[j].xpath, depth) == rel for j in cells)
            for row, cells in rows.items()
        ):
            return True
    return False


def _beside_anchor(member: Sample, addr: list[tuple[int, int]], anchor: int, cell: list[int]) -> list[int]:
    """The leaves of ``cell`` that share their element with the anchor landmark (see
    :func:`mailstencil.rules.address.beside`)."""
    at = next((i for i, a in enumerate(addr) if a == (anchor, LANDMARK)), None)
    if at is None:
        return []
    here = member.leaves[at].xpath
    return [i for i in cell if beside(member.leaves[i].xpath, here)]


def induce(members: list[Sample], min_recipients: int = DEFAULT_MIN_RECIPIENTS) -> ClusterTable:
    """Build a cluster's table: landmarks, slots and a template skeleton."""
    landmarks = _landmarks(members, min_recipients)
    lm_index = {(m.ipath, m.text): i for i, m in enumerate(landmarks)}
    addr = [addresses(s.leaves, lm_index) for s in members]
    selectors: list[Selector] = []
    cols = _columns(members, addr, selectors, min_recipients)
    # which leaves are constant (landmarks or constant columns), per member
    const_leaf: list[set[int]] = [{i for i, (_, o) in enumerate(a) if o == LANDMARK} for a in addr]
    variable: list[_Column] = []
    bare: list[_Column] = []
    need = min(min_recipients, len(members))
    for col in cols:
        texts = _texts(members, col.cells)
        flat = [t for cell in texts for t in cell]
        if not flat:
            continue
        # privacy: what a column holds constant becomes template text (context, skeleton, regex),
        # so the column must have been seen by k distinct recipients; one seen by fewer (an
        # optional block) only gives a slot when it holds no constant text at all
        if len({members[m].reader for m, c in enumerate(texts) if c}) < need:
            if len(set(flat)) == len(flat) > 1:
                bare.append(col)
            continue
        if len(set(flat)) == 1:
            for m, cell in enumerate(col.cells):
                const_leaf[m].update(cell)
            continue
        variable.append(col)
    table = ClusterTable(landmarks, selectors=selectors, members=members)
    for col in variable:
        for cells in _variants(members, col.cells, need):
            table.slots.extend(_slots(members, col, cells, const_leaf))
    for col in bare:
        table.slots.extend(_slots(members, col, col.cells, const_leaf, textless=True))
    table.skeleton = _skeleton(members[0], const_leaf[0])
    templates = {s.line: s.template.items for s in table.slots if s.line >= 0}
    repeats = {i: s.line for s in table.slots if s.line >= 0 for i in s.rows}
    table.skeleton_html = skeleton_html(members[0].leaves, const_leaf[0], templates, repeats)
    return table


def _slots(
    members: list[Sample],
    col: _Column,
    cells: list[list[int]],
    const_leaf: list[set[int]],
    textless: bool = False,
) -> list[Slot]:
    """The variable gaps of one column, or of one variant of it (``cells``: its leaves), as slots.

    ``textless``: only when the values share no text at all (the regex is one bare gap), as a
    column seen by fewer than k recipients must be.
    """
    out: list[Slot] = []
    texts = _texts(members, cells)
    flat = [t for cell in texts for t in cell]
    aligned = align_values(flat, rows=col.mode == "rows")
    if aligned is None:
        return []
    template, parsed = aligned
    if textless and (template.items != [0] or template.lead or template.trail or template.titled):
        return []
    # where does this column sit, and what constant text surrounds it (first member having it)
    m0 = next(m for m, cell in enumerate(cells) if cell)
    i0 = cells[m0][0]
    leaves = members[m0].leaves
    before = _context(leaves, const_leaf[m0], i0, -1)
    after = _context(leaves, const_leaf[m0], i0, +1)
    # the nearest constant text, whatever it is, types the value (a currency sign in an element
    # of its own makes a bare decimal an amount)
    sign_b = next(iter(_context(leaves, const_leaf[m0], i0, -1, 1, labels=False)), "")
    sign_a = next(iter(_context(leaves, const_leaf[m0], i0, +1, 1, labels=False)), "")
    link_text = ""
    if leaves[i0].kind == "href" and i0 + 1 < len(leaves):
        link_text = leaves[i0 + 1].text
    pos = sum(cell[0] / max(1, len(members[m].leaves)) for m, cell in enumerate(cells) if cell)
    pos /= max(1, sum(1 for cell in cells if cell))
    for gap in template.gaps:
        values: list[list[str]] = []
        k = 0
        for cell in texts:
            row: list[str] = []
            for _ in cell:
                g = parsed[k]
                k += 1
                if g and g[gap]:
                    row.append(str(g[gap]))
            values.append(row)
        if not any(values):
            continue
        own = sum(v.lower() == members[m].recipient.lower() for m, row in enumerate(values) for v in row)
        reader = sum(names_reader(v, members[m].recipient) for m, row in enumerate(values) for v in row)
        inline_b, inline_a = template.context(gap)
        near_b = inline_b or sign_b
        near_a = inline_a or sign_a
        dtypes = column_types((v for row in values for v in row), before=near_b, after=near_a)
        out.append(
            Slot(
                *col.key(),
                xpath=leaves[i0].xpath,
                kind=leaves[i0].kind,
                template=template,
                gap=gap,
                values=values,
                dtypes=dtypes,
                position=pos,
                before=before,
                after=after,
                inline_before=inline_b,
                inline_after=inline_a,
                link_text=link_text,
                near_before=sign_b,
                near_after=sign_a,
                own_address=own / sum(len(row) for row in values),
                reader_name=reader / sum(len(row) for row in values),
                periods=periods(values, [s.date.date() for s in members]) if "date" in dtypes else [],
                line=cells[0][0] if cells[0] else -1,
                rows=cells[0][1:] if col.mode == "rows" else [],
            )
        )
    return out


def _texts(members: list[Sample], cells: list[list[int]]) -> list[list[str]]:
    return [[members[m].leaves[i].text for i in cell] for m, cell in enumerate(cells)]


def _variants(members: list[Sample], cells: list[list[int]], need: int) -> list[list[list[int]]]:
    """A column's leaves split into the template sentences it holds.

    Optional wording puts different sentences at one place ("Hi {name}, ..." in one message, a
    fixed sentence in another); aligned together they share no constant text and no slot fits
    either. Values are keyed by their tokens seen by ``need`` recipients; when two or more keys
    with constant text are each that common, each is aligned on its own (its regex then matches
    only its own sentence). Otherwise the column stays one. Repeated columns split by label.
    """
    if any(len(cell) > 1 for cell in cells):
        return _labelled_rows(members, cells, need)
    tokens = [set(tokenize(t[0])) if t else set() for t in _texts(members, cells)]
    who = _readers(members, tokens)
    frequent = {t for t, r in who.items() if len(r) >= need and any(c.isalnum() for c in t)}
    groups: list[tuple[frozenset[str], list[int]]] = []
    for m, toks in enumerate(tokens):
        if not cells[m]:
            continue
        key = frozenset(toks & frequent)
        for lead, ms in groups:
            if jaccard(lead, key) >= SENTENCE_SIMILARITY:
                ms.append(m)
                break
        else:
            groups.append((key, [m]))
    common = [
        set(ms) for lead, ms in groups if len(lead) >= 2 and len({members[m].reader for m in ms}) >= need
    ]
    if len(common) < 2:
        return [cells]
    return [[cell if m in ms else [] for m, cell in enumerate(cells)] for ms in common]


def _labelled_rows(members: list[Sample], cells: list[list[int]], need: int) -> list[list[list[int]]]:
    """A repeated column split by the label its rows start with (``Variant: ...``, ``SKU: ...``).

    Flat records write each field as a ``Label: value`` line of one path; each label that
    ``need`` recipients saw is aligned on its own, so its value gets its label as context. The
    other rows stay together. A column of one label (or none) stays one.
    """
    labels = [
        [(split_label(members[m].leaves[i].text) or ("", ""))[0] for i in cell]
        for m, cell in enumerate(cells)
    ]
    common = sorted(label for label, r in _readers(members, labels).items() if label and len(r) >= need)
    # per leaf its common label, or None where its label (if any) is rare
    keyed = [[label if label in common else None for label in cell] for cell in labels]
    if not common or all(key == common[0] for cell in keyed for key in cell):
        return [cells]
    parts = [
        [
            [i for i, k in zip(cell, ks, strict=True) if k == key]
            for cell, ks in zip(cells, keyed, strict=True)
        ]
        for key in [*common, None]
    ]
    return [part for part in parts if any(part)]


def _readers(members: list[Sample], keys: Sequence[Iterable[str]]) -> dict[str, set[str]]:
    """The readers who saw each key (``keys``: per member), for the k-recipient tests."""
    who: dict[str, set[str]] = defaultdict(set)
    for m, mine in enumerate(keys):
        for key in mine:
            who[key].add(members[m].reader)
    return who


def _context(
    leaves: list[Leaf], const: set[int], i: int, step: int, n: int = 3, labels: bool = True
) -> list[str]:
    """The ``n`` constant texts nearest a leaf in one direction; with ``labels``, only texts that
    can label a value: a currency symbol or code in an element of its own (``£`` | ``80.00``), a
    lone mark or number is no label, so the words beyond it are."""
    out: list[str] = []
    j = i + step
    while 0 <= j < len(leaves) and len(out) < n:
        if j in const and leaves[j].kind != "href" and (not labels or _is_label(leaves[j].text)):
            out.append(leaves[j].text)
        j += step
    return out


def _is_label(text: str) -> bool:
    return any(c.isalpha() for c in text) and not is_currency_token(text)


def _skeleton(sample: Sample, const: set[int]) -> list[str]:
    """The first member's leaves with variable text replaced by ``{slot}`` (constant text kept)."""
    out: list[str] = []
    for i, leaf in enumerate(sample.leaves):
        if i in const:
            out.append(leaf.text if leaf.kind != "href" else f"[link] {leaf.text}")
        else:
            out.append("{…}" if leaf.kind != "href" else "[link] {…}")
    return out
