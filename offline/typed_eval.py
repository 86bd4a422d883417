"""How well values get typed forms on a labelled corpus: the share of truth values of each typed
field that get one, and whether a right extraction types as its truth value does.

``mailstencil evaluate --typed`` prints the per-field table after the scores.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from mailstencil.rules.apply import Extractor
from mailstencil.rules.message import ParsedMessage
from mailstencil.rules.model import RuleSet
from mailstencil.rules.typed import TypedValue, type_extraction
from mailstencil.rules.vocabulary import FIELDS

from .sample import Sample
from .truth import TruthRecord, value_key

__all__ = ["TypedReport", "typed_report", "format_typed_report"]


@dataclass(slots=True)
class TypedReport:
    """Per typed field: truth values and those with a typed form; right extracted values and those
    whose typed form equals their truth value's (kind, value, end and currency)."""

    values: Counter[str] = field(default_factory=Counter)
    typed: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)
    same: Counter[str] = field(default_factory=Counter)
    differing: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))


def _meaning(t: TypedValue | None) -> tuple[object, ...] | None:
    """What a typed form says, an amount's sign aside (as scoring sets it aside: ``-$10.00`` and
    ``$10.00`` are one discount)."""
    if t is None:
        return None
    value = t.value.lstrip("-") if t.kind == "amount" and isinstance(t.value, str) else t.value
    return (t.kind, value, t.end, t.currency)


def typed_report(
    samples: list[Sample], truth: dict[str, TruthRecord], ruleset: RuleSet | None, held_out: list[Sample]
) -> TypedReport:
    """Type every truth value of ``samples``; extract ``held_out`` with ``ruleset`` and compare."""
    out = TypedReport()
    for s in samples:
        rec = truth.get(s.message_id)
        if rec is None:
            continue
        typed, _ = type_extraction(rec.fields, [], s.date, s.sender)
        for name, forms in typed.items():
            out.values[name] += len(forms)
            out.typed[name] += sum(f is not None for f in forms)
    if ruleset is None:
        return out
    extractor = Extractor(ruleset)
    for s in held_out:
        rec = truth.get(s.message_id)
        if rec is None:
            continue
        got = extractor.extract_leaves(ParsedMessage(s.sender, s.subject, s.message_id, s.date), s.leaves)
        mine, _ = type_extraction(got.fields, [], s.date, s.sender, got.around)
        theirs, _ = type_extraction(rec.fields, [], s.date, s.sender)
        for name, forms in mine.items():
            by_key = {
                value_key(name, v): t
                for v, t in zip(rec.fields.get(name, []), theirs.get(name, []), strict=False)
            }
            for text, form in zip(got.fields[name], forms, strict=True):
                key = value_key(name, text)
                if key not in by_key:
                    continue  # a wrong extraction: scored by evaluate, not here
                out.right[name] += 1
                if _meaning(form) == _meaning(by_key[key]):
                    out.same[name] += 1
                elif len(out.differing[name]) < 5:
                    out.differing[name].append((text, f"{_meaning(form)} vs {_meaning(by_key[key])}"))
    return out


def format_typed_report(r: TypedReport) -> str:
    """The per-field Markdown table of a report."""
    lines = [
        "| field | kind | truth values | with a typed form | right extractions | typed as the truth |",
        "|---|---|---|---|---|---|",
    ]
    for name in sorted(r.values):
        share = r.typed[name] / r.values[name] if r.values[name] else 0.0
        agree = f"{r.same[name] / r.right[name]:.3f}" if r.right[name] else "-"
        lines.append(
            f"| {name} | {FIELDS[name].value} | {r.values[name]} | {share:.3f} | {r.right[name]} | {agree} |"
        )
    return "\n".join(lines)
