"""Reliability of the kernel against hostile mail: matching and parsing stay linear, every message
decodes, learning loses no mail and never publishes a rule set that cannot serve.

Time bounds are far below what the old code took (a 2 KB backtracking Subject: 3.5 s, 100 KB:
days; 40,000 attributes: 11 s) and far above what the new code takes, so they hold on a loaded
2-core machine.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import hostile
import pytest
from helpers import make_order, render_message

from mailstencil.offline.batch import RefusedRun, run_learning
from mailstencil.offline.engine import default_model_path
from mailstencil.offline.local_engine import LocalEngine
from mailstencil.offline.sample import CONTENT_ID, prepare
from mailstencil.offline.transport import LearnJob
from mailstencil.rules.apply import Extractor
from mailstencil.rules.dom import DomError, html_leaves, message_leaves
from mailstencil.rules.limits import Limits
from mailstencil.rules.message import parse_message
from mailstencil.rules.model import FieldRule, RuleSet, Selector
from mailstencil.rules.patterns import PatternError, check_patterns, compile_pattern
from mailstencil.rules.store import SQLiteStore


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return hostile.learned()


def _timed(fn: object, *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args)  # type: ignore[operator]
    return time.perf_counter() - start, out


# --------------------------------------------------------------------------------------------
# matching


def test_backtracking_subject_answers_fast(ruleset: RuleSet) -> None:
    pattern = hostile.subject_pattern(ruleset)
    crafted = hostile.backtracking_subject(100_000)
    assert crafted.startswith(hostile.SUBJECT_START) and len(crafted) > 99_000
    # the premise: Python's re backtracks on this shape (0.43 s for 1 KB here; cubic in the length)
    took, _ = _timed(re.fullmatch, pattern, crafted[:400], re.DOTALL)
    took_re2, _ = _timed(compile_pattern(pattern).fullmatch, crafted[:400])
    assert took > 5 * took_re2
    normal, _ = _timed(Extractor(ruleset).extract, hostile.message(3))
    for limits in (Limits(), Limits(rule_text=10**6)):  # with the length cap, and with it lifted
        extractor = Extractor(ruleset, limits)
        took, got = _timed(extractor.extract, hostile.message(3, crafted))
        assert took < normal + 0.5, took
        assert got.known  # routed to the learned cluster: its Subject rules did run (or were capped)


def test_re2_agrees_with_re_on_learned_patterns(ruleset: RuleSet) -> None:
    texts = []
    for raw in hostile.messages(6):
        msg = parse_message(raw)
        texts += [x.text for x in message_leaves(msg.subject, msg.html, msg.text)]
    texts += ["Hi\xa0Ada ,", "Your\u2003Pinecone Supply order #1 placed on x for y is confirmed"]
    patterns = {r.pattern for c in ruleset.clusters for r in c.rules} | {
        s.pattern for c in ruleset.clusters for s in c.selectors
    }
    compared = 0
    for p in patterns:
        ours, theirs = compile_pattern(p), re.compile(p, re.DOTALL)
        for t in texts:
            a, b = ours.fullmatch(t), theirs.fullmatch(t)
            assert (a is None) == (b is None), (p, t)
            if a is not None and b is not None:
                assert a.groups() == b.groups()
                compared += 1
    assert compared > 20


def _with_pattern(ruleset: RuleSet, pattern: str) -> RuleSet:
    """``ruleset`` with one more rule, on the first cluster with rules, whose pattern is ``pattern``."""
    clusters = list(ruleset.clusters)
    k = next(i for i, c in enumerate(clusters) if c.rules)
    extra = FieldRule(field="order_total", anchor=-1, ipath="nowhere", pattern=pattern, confidence=1.0)
    clusters[k] = clusters[k].model_copy(update={"rules": [*clusters[k].rules, extra]})
    return RuleSet(version=ruleset.version, clusters=clusters)


@pytest.mark.parametrize("pattern", [r"(a+)\1", r"(?=a)a", r"(?<!x)y"], ids=["backref", "ahead", "behind"])
def test_patterns_re2_refuses_are_named_and_left_out(ruleset: RuleSet, pattern: str) -> None:
    bad = _with_pattern(ruleset, pattern)
    with pytest.raises(PatternError, match="1 cluster"):
        check_patterns(bad)
    check_patterns(ruleset)
    extractor = Extractor(bad)
    assert extractor.refused_patterns == 0  # a sender's clusters compile on its first message
    assert (
        extractor.extract(hostile.message(2)).fields == Extractor(ruleset).extract(hostile.message(2)).fields
    )
    assert extractor.refused_patterns == 1
    sel = bad.clusters[0].model_copy(update={"selectors": [Selector(anchor=-1, ipath="x", pattern=pattern)]})
    with pytest.raises(PatternError):
        check_patterns(RuleSet(clusters=[sel]))


# --------------------------------------------------------------------------------------------
# learning never publishes a rule set that cannot serve


def _job() -> LearnJob:
    return LearnJob(model_path=default_model_path(), now=datetime(2026, 12, 1, tzinfo=UTC))


def _named(raws: list[bytes]) -> list[tuple[str, bytes]]:
    return [(f"m{i}.eml", r) for i, r in enumerate(raws)]


def test_learning_refuses_a_carried_pattern_re2_refuses(ruleset: RuleSet, tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    store.publish(_with_pattern(ruleset, r"(a+)\1"))  # as an older release could have
    other = [render_message(i, sender="hello@juniper.example") for i in range(3)]
    with pytest.raises(RefusedRun, match="linear-time engine"):
        run_learning(store, engine=LocalEngine(1), job=_job(), messages=_named(other))
    assert store.current_version() == 1
    store.close()


def test_learning_refuses_to_empty_or_shrink_the_rules(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    first = run_learning(store, engine=LocalEngine(1), job=_job(), messages=_named(hostile.messages()))
    assert first.clusters >= 1 and store.current_version() == 1
    with pytest.raises(RefusedRun, match="empty rule set.*--allow-shrink"):
        run_learning(store, engine=LocalEngine(1), job=_job(), messages=[], incremental=False)
    other = [render_message(i, sender="hello@juniper.example") for i in range(3)]
    with pytest.raises(RefusedRun, match="retire 1 of the current 1"):
        run_learning(store, engine=LocalEngine(1), job=_job(), messages=_named(other), incremental=False)
    assert store.current_version() == 1
    report = run_learning(
        store, engine=LocalEngine(1), job=_job(), messages=[], incremental=False, allow_shrink=True
    )
    assert report.clusters == 0 and store.current_version() == 2
    store.close()


def test_mail_without_message_id_is_not_dropped_as_a_duplicate(tmp_path: Path) -> None:
    raws = [hostile.without_header(r, "Message-ID") for r in hostile.messages()]
    samples = [prepare(f"m{i}", r) for i, r in enumerate(raws)]
    ids = {s.message_id for s in samples if s is not None}
    assert len(ids) == len(raws) and all(i.startswith(CONTENT_ID) for i in ids)
    assert prepare("again", raws[0]).message_id == samples[0].message_id  # type: ignore[union-attr]
    store = SQLiteStore(tmp_path / "m.db")
    junk = [("a.eml", b"no header block"), ("b.eml", b"From: x@y.example\n\n")]
    report = run_learning(store, engine=LocalEngine(1), job=_job(), messages=_named(raws) + junk)
    assert (report.messages_new, report.messages_duplicate) == (len(raws), 0)
    assert report.skipped == {"not an RFC 822 message": 1, "no text": 1} and report.messages_skipped == 2
    again = run_learning(store, engine=LocalEngine(1), job=_job(), messages=_named(raws[:3]))
    assert (again.messages_new, again.messages_duplicate) == (0, 3)  # a re-delivered copy is one message
    store.close()


# --------------------------------------------------------------------------------------------
# parsing


def _attribute_message(n: int) -> bytes:
    attrs = " ".join(f"a{i}=x" for i in range(n))
    html = f"<html><body><p>Order</p><td {attrs}>hi</td></body></html>"
    return (
        b"From: orders@pinecone.example\nTo: a@b.example\nSubject: big\n"
        b"Content-Type: text/html; charset=utf-8\n\n" + html.encode()
    )


def test_a_12mb_message_of_attributes_is_refused_fast() -> None:
    raw = _attribute_message(1_200_000)
    assert len(raw) > 12_000_000
    msg = parse_message(raw)
    start = time.perf_counter()
    with pytest.raises(DomError, match="over 256 attributes"):
        message_leaves(msg.subject, msg.html, msg.text)
    assert time.perf_counter() - start < 1.0


def test_quoted_angle_brackets_do_not_hide_attributes() -> None:
    html = '<html><body><td x=">" ' + " ".join(f"a{i}" for i in range(400)) + ">hi</td></body></html>"
    with pytest.raises(DomError, match="attributes"):
        html_leaves(html)


# --------------------------------------------------------------------------------------------
# decoding: every message answers


def _raw(
    subject: bytes = b"hi", date: bytes = b"Mon, 02 Mar 2026 08:30:00 +0000", charset: bytes = b"utf-8"
) -> bytes:
    return (
        b"From: Shop <orders@pinecone.example>\r\nTo: a@b.example\r\nSubject: " + subject + b"\r\n"
        b"Date: "
        + date
        + b"\r\nContent-Type: text/html; charset="
        + charset
        + b"\r\n\r\n<p>Hello +2D0-</p>\r\n"
    )


@pytest.mark.parametrize(
    "raw",
    [
        _raw(subject=b"=?utf-7?Q?+2D0-?="),
        _raw(subject=b"=?unicode_escape?Q?=5Cud800?="),
        _raw(charset=b"utf-7"),
        _raw(charset=b"punycode"),
        _raw(charset=b"idna"),
        _raw(charset=b"rot13"),
        _raw(date=b"Mon, 02 Mar 2026 08:30:00 +0000 \xe9\xff"),
        _raw(date=b"\xff\xfe"),
        _raw(subject=b"=?utf-8?B?####?= =?x?q?"),
        _raw(subject=b"caf\xc3\xa9 \xff"),
    ],
    ids=["utf7-subject", "unicode-escape", "utf7-body", "punycode", "idna", "rot13", "8bit-date",
         "8bit-date-only", "broken-words", "8bit-subject"],
)  # fmt: skip
def test_odd_charsets_and_headers_decode_cleanly(raw: bytes) -> None:
    msg = parse_message(raw)
    leaves = message_leaves(msg.subject, msg.html, msg.text)
    fields = [msg.sender, msg.subject, msg.message_id, msg.html, msg.text, *(x.text for x in leaves)]
    json.dumps(fields, ensure_ascii=False).encode("utf-8")  # what the service answers with
    assert msg.sender == "orders@pinecone.example" and any("Hello" in x.text for x in leaves)


def test_cr_only_line_endings_give_the_same_fields(ruleset: RuleSet) -> None:
    extractor = Extractor(ruleset)
    raw = hostile.message(4)
    assert b"=\n" in raw  # quoted-printable soft breaks: what CR-only endings used to break
    want = extractor.extract(raw).fields
    assert want
    cr_only = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    assert extractor.extract(cr_only).fields == want
    lines = cr_only.split(b"\r")
    stray = lines[0] + b"\r\n" + lines[1] + b"\n" + b"\r".join(lines[2:])  # one CRLF, one LF among them
    assert extractor.extract(stray).fields == want


def test_a_nul_byte_does_not_hide_the_message(ruleset: RuleSet) -> None:
    extractor = Extractor(ruleset)
    raw = hostile.message(5)
    want = extractor.extract(raw).fields
    assert extractor.extract(raw[:40] + b"\x00" + raw[40:]).fields == want


def test_order_helpers_are_the_template(ruleset: RuleSet) -> None:
    """The hostile messages are the learned template's: a normal one gets its Subject fields."""
    got = Extractor(ruleset).extract(hostile.message(7))
    assert "#" + make_order(7).number in got.fields["order_number"]


def test_the_time_budget_cuts_matching_short_and_says_so(ruleset: RuleSet) -> None:
    raw = hostile.message(6)
    full = Extractor(ruleset).extract(raw)
    assert full.fields and not full.cut_short
    cut = Extractor(ruleset, Limits(seconds=1e-9)).extract(raw)
    assert cut.known and cut.cut_short and cut.fields == {}
