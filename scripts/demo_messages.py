"""Pick the demo's messages from a sample corpus by what its truth says they hold, not by file name.

Prints ``kind<TAB>path`` for each kind below: of the messages whose truth has all the kind's fields,
the one with the most values (an order with the most line items, say), the newest on a tie.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mailstencil.offline.truth import load_truth

KINDS = {
    "order": ("order_number", "item_name", "order_total"),
    "shipping notice": ("tracking_number",),
    "booking": ("reservation_number", "lodging_name"),
    "account mail": ("username",),
}


def pick(corpus: Path) -> dict[str, Path]:
    """The demo message of each kind found under ``corpus``."""
    best: dict[str, tuple[int, str, Path]] = {}
    for truth_file in sorted(corpus.rglob("truth.jsonl")):
        for rec in load_truth([truth_file]).values():
            size = sum(len(v) for v in rec.fields.values())
            for kind, needs in KINDS.items():
                if all(rec.fields.get(f) for f in needs) and (size, rec.file) > best.get(kind, (-1, ""))[:2]:
                    best[kind] = (size, rec.file, truth_file.parent / rec.file)
    return {kind: path for kind, (_, _, path) in best.items()}


if __name__ == "__main__":
    picked = pick(Path(sys.argv[1]))
    missing = [k for k in KINDS if k not in picked]
    if missing:
        sys.exit(f"demo_messages: no {', '.join(missing)} in {sys.argv[1]}")
    for kind in KINDS:
        print(f"{kind}\t{picked[kind]}")
