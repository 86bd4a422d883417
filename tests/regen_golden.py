"""Regenerate the golden JSON files of tests/fixtures/messages/*.eml.

    python tests/regen_golden.py            # rewrite goldens, print which changed
    python tests/regen_golden.py --check    # exit 1 if a golden differs (known bugs aside); no writes
    python tests/regen_golden.py --force    # also rewrite the known-bad leaves goldens

For every fixture ``<name>.eml`` it writes ``tests/golden/<name>.leaves.json`` (the leaves of
``message_leaves``) and ``tests/golden/<name>.message.json`` (the ``parse_message`` result); for
every ``tests/fixtures/jsonld/<vertical>.eml`` (with its ``.fields.json``) the JSON-LD
``tests/golden/jsonld/<vertical>.jsonld``.
Review the diff before committing: a golden file states what the code *should* return. The
fixtures in ``helpers.KNOWN_BAD_LEAVES`` have hand-checked leaves goldens that the current code
does not produce yet; they are skipped unless ``--force``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from helpers import (  # noqa: E402
    GOLDEN,
    JSONLD_GOLDEN,
    JSONLD_INPUTS,
    KNOWN_BAD_LEAVES,
    MESSAGES,
    dump_json,
    golden_jsonld,
    golden_leaves,
    golden_message,
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only report differences, exit 1 if any")
    ap.add_argument("--force", action="store_true", help="also rewrite known-bad leaves goldens")
    args = ap.parse_args(argv)
    JSONLD_GOLDEN.mkdir(parents=True, exist_ok=True)
    differ = 0
    for eml in sorted([*MESSAGES.glob("*.eml"), *JSONLD_INPUTS.glob("*.eml")]):
        raw = eml.read_bytes()
        if eml.parent == JSONLD_INPUTS:
            extracted = json.loads(eml.with_suffix(".fields.json").read_text(encoding="utf-8"))
            outputs = {JSONLD_GOLDEN / f"{eml.stem}.jsonld": dump_json(golden_jsonld(raw, extracted))}
        else:
            outputs = {
                GOLDEN / f"{eml.stem}.message.json": dump_json(golden_message(raw)),
                GOLDEN / f"{eml.stem}.leaves.json": dump_json(golden_leaves(raw)),
            }
        for path, text in outputs.items():
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if old == text:
                continue
            known_bad = path.name.endswith(".leaves.json") and eml.stem in KNOWN_BAD_LEAVES
            differ += not known_bad
            if args.check or (known_bad and not args.force):
                print(
                    f"differs{' (known bug, kept)' if known_bad else ''}: {path.relative_to(GOLDEN.parent)}"
                )
                continue
            path.write_text(text, encoding="utf-8")
            print(f"{'created' if old is None else 'updated'}: {path.relative_to(GOLDEN.parent)}")
    return 1 if args.check and differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
