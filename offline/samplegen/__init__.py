"""Deterministic sample-corpus generator of templated (machine-generated) e-mail.

``generate(out_dir)`` writes, for every source (vertical family)::

    <out_dir>/<source>/messages/<sender-slug>/<template>/<nnnn>.eml
    <out_dir>/<source>/truth.jsonl

with ground truth in the vocabulary of ``shared/corpus/fields.json``.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from . import pools
from .context import Ctx, Sender
from .layouts import render_html, render_text
from .mime import build_message, message_id
from .model import Link, Para, collect_truth, plain
from .senders import SENDERS

__all__ = ["SENDERS", "generate", "generate_template"]

YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
DAY = 24 * 3600
YEAR_SECONDS = 365 * DAY


def _dates(rng: random.Random, n: int, tz_hours: int) -> list[datetime]:
    tz = timezone(timedelta(hours=tz_hours))
    secs = sorted(rng.randrange(DAY, YEAR_SECONDS - DAY) for _ in range(n))
    return [(YEAR_START + timedelta(seconds=s)).astimezone(tz).replace(microsecond=0) for s in secs]


def _recipients(rng: random.Random, sender: Sender, n: int) -> list[pools.Person]:
    seen: set[str] = set()
    out: list[pools.Person] = []
    while len(out) < n:
        p = pools.person(rng, sender.name_locales)
        if p.email not in seen:
            seen.add(p.email)
            out.append(p)
    return out


def _drop_constant(records: list[dict[str, object]]) -> None:
    """Remove fields whose value list is identical in every message of the template (template text)."""
    if len(records) < 2:
        return
    fields = [r["fields"] for r in records]
    names = set().union(*(f.keys() for f in fields))  # type: ignore[attr-defined]
    for name in names:
        values = [f.get(name) for f in fields]  # type: ignore[attr-defined]
        if all(v == values[0] for v in values) and values[0] is not None:
            for f in fields:
                del f[name]  # type: ignore[attr-defined]


def generate_template(
    rng: random.Random, sender: Sender, template: str, source_dir: Path, n: int
) -> list[dict[str, object]]:
    """Write ``n`` messages of one sender template below ``source_dir``; return their truth records."""
    builder = dict(sender.templates)[template]
    tdir = source_dir / "messages" / sender.slug / template
    tdir.mkdir(parents=True, exist_ok=True)
    records: list[dict[str, object]] = []
    for i, (when, to) in enumerate(
        zip(_dates(rng, n, sender.tz_hours), _recipients(rng, sender, n), strict=True), start=1
    ):
        c = Ctx(rng, sender, when, to)
        doc = builder(c)
        if c.sopt("unsubscribe", ""):  # a per-reader opt-out link in the small print: no field
            token = c.ident("unsub_fmt", "{h24}")
            doc.add(Para((Link((c.L("unsubscribe"),), c.url(f"/email/unsubscribe?u={token}")),), muted=True))
        subject = " ".join(plain(doc.subject).split())
        html = render_html(doc, sender.layout, sender.brand) if sender.mime in ("alt", "html") else None
        text = render_text(doc, sender.brand) if sender.mime in ("alt", "text") else None
        msgid = message_id(rng, sender.domain)
        rel = f"messages/{sender.slug}/{template}/{i:04d}.eml"
        (source_dir / rel).write_bytes(build_message(sender, to, subject, when, msgid, text, html))
        records.append(
            {
                "file": rel,
                "message_id": msgid,
                "source": sender.source,
                "template": template,
                "sender": sender.address,
                "fields": collect_truth(doc),
            }
        )
    _drop_constant(records)
    return records


def generate(out_dir: Path, messages_per_template: int = 12, seed: int = 0) -> Path:
    """Generate the sample corpus below ``out_dir`` (deterministic for ``seed``) and return ``out_dir``.

    Existing source directories of the generator are replaced; other content of ``out_dir`` is kept.
    """
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    by_source: dict[str, list[Sender]] = {}
    for s in SENDERS:
        by_source.setdefault(s.source, []).append(s)
    for source, senders in by_source.items():
        source_dir = out_dir / source
        if source_dir.exists():
            shutil.rmtree(source_dir)
        source_dir.mkdir(parents=True)
        lines: list[str] = []
        for sender in senders:
            for template, _builder in sender.templates:
                for rec in generate_template(rng, sender, template, source_dir, messages_per_template):
                    lines.append(json.dumps(rec, ensure_ascii=False))
        (source_dir / "truth.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out_dir
