"""``python -m mailstencil.offline.samplegen OUT_DIR [--per-template N] [--seed S]``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import generate


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: generate the sample corpus into OUT_DIR."""
    ap = argparse.ArgumentParser(prog="python -m mailstencil.offline.samplegen", description=__doc__)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--per-template", type=int, default=12, help="messages per sender template (default 12)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    out = generate(args.out_dir, messages_per_template=args.per_template, seed=args.seed)
    emls = sum(1 for _ in out.glob("*/messages/*/*/*.eml"))
    print(f"wrote {emls} messages to {out} in {time.perf_counter() - t0:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
