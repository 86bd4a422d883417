"""Peak memory of extracting one huge message, over the process's memory before it.

Each case runs in a fresh interpreter: it builds the message, readies the extractor (an empty rule
set: parsing, leaves and markup cost the same whatever the rules), reads its resident memory,
answers the message as the service's extraction workers do (``mailstencil.app.service.run_job``) and reads
its peak resident memory (``VmHWM``). The cases are about 19 MB each: an HTML newsletter of many
paragraphs, the same base64-encoded, a few huge text nodes, and a huge text/plain body.
``--trace`` also prints the largest allocations at the peak (tracemalloc, slower).

    python benchmarks/message_memory.py [--mb 19] [--trace] [--out benchmarks/results/message_memory.md]
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
import time
from pathlib import Path

CASES = ("newsletter", "newsletter_base64", "huge_text_nodes", "huge_plain_text")


def build(case: str, size: int) -> bytes:
    """A message of about ``size`` bytes of the shape ``case`` names."""
    head = b"From: shop@example.com\r\nTo: a@example.org\r\nSubject: Your order\r\nMIME-Version: 1.0\r\n"
    if case.startswith("newsletter"):
        para = b"<tr><td><p>Item %d: a pair of walking boots, size 42, colour brown</p></td></tr>\n"
        rows = [para % i for i in range(size // len(para % 0))]
        html = b"<html><body><table>" + b"".join(rows) + b"</table></body></html>"
    elif case == "huge_text_nodes":
        html = b"<html><body>" + b"".join(b"<p>" + b"word " * (size // 50) + b"</p>" for _ in range(10))
        html += b"</body></html>"
    else:
        text = b"Order line: a pair of walking boots\r\n" * (size // 38)
        return head + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + text
    if case.endswith("base64"):
        body = base64.encodebytes(html)
        cte = b"Content-Transfer-Encoding: base64\r\n"
        return head + b"Content-Type: text/html; charset=utf-8\r\n" + cte + b"\r\n" + body
    return head + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html


def _memory(field: str) -> int:
    """``field`` of /proc/self/status (VmRSS, VmHWM) in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def measure(case: str, size: int, trace: bool) -> dict[str, object]:
    """Run one case in this process (a fresh one: the peak is per process)."""
    import tracemalloc

    from mailstencil.app.jobs import Job
    from mailstencil.app.markup import load_extruct
    from mailstencil.app.service import run_job
    from mailstencil.rules.apply import Extractor
    from mailstencil.rules.model import RuleSet

    raw = build(case, size)
    extractor = Extractor(RuleSet())
    load_extruct()
    run_job(Job(kind="message", version=1, max_bytes=64 << 20, raw=build(case, 20_000)), extractor)
    Path("/proc/self/clear_refs").write_text("5")  # peak (VmHWM) := now
    base = _memory("VmRSS")
    if trace:
        tracemalloc.start(8)
    start = time.perf_counter()
    answer = run_job(Job(kind="message", version=1, max_bytes=64 << 20, raw=raw), extractor)
    seconds = time.perf_counter() - start
    top: list[str] = []
    if trace:
        _, traced_peak = tracemalloc.get_traced_memory()
        snap = tracemalloc.take_snapshot()
        top = [f"traced peak {traced_peak / 1e6:.0f} MB"]
        top += [str(s) for s in snap.statistics("lineno")[:8]]
    peak = _memory("VmHWM")
    detail = json.loads(answer.body).get("detail") if answer.status != 200 else None
    return {
        "case": case,
        "bytes": len(raw),
        "status": answer.status,
        "detail": detail,
        "seconds": round(seconds, 2),
        "base_mb": round(base / 1e6),
        "over_base_mb": round((peak - base) / 1e6),
        "ratio": round((peak - base) / len(raw), 1),
        "top": top,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=19.0, help="size of each message, MB")
    parser.add_argument("--trace", action="store_true", help="print the largest allocations (tracemalloc)")
    parser.add_argument("--out", type=Path, help="write the table as Markdown here")
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)  # one case, in a child
    args = parser.parse_args()
    size = int(args.mb * 1e6)
    if args.case:
        print(json.dumps(measure(args.case, size, args.trace)))
        return
    rows = []
    for case in CASES:
        cmd = [sys.executable, __file__, "--case", case, "--mb", str(args.mb)]
        cmd += ["--trace"] if args.trace else []
        got = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        rows.append(got)
        for line in got.pop("top"):
            print("   ", line, file=sys.stderr)
    lines = [
        "| message | MB | answer | seconds | RSS before, MB | peak over it, MB | peak / message size |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        answer = f"{r['status']}" + (f" ({r['detail']})" if r["detail"] else "")
        lines.append(
            f"| {r['case']} | {int(r['bytes']) / 1e6:.1f} | {answer} | {r['seconds']} | {r['base_mb']} "
            f"| {r['over_base_mb']} | {r['ratio']}× |"
        )
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(f"`python benchmarks/message_memory.py --mb {args.mb:g}`\n\n{table}\n")


if __name__ == "__main__":
    main()
