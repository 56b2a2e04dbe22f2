"""`python -m bench [--scale N]... [--views 20] [--out docs/benchmarks.md] [--no-browser]`.

`python -m bench --worker SPEC RESULT` runs one measurement in its own process (bench.run.run_worker).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.run import run_bench, worker_main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="性能测试")
    parser.add_argument("--scale", type=int, action="append")
    parser.add_argument("--views", type=int, default=20)
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--worker", nargs=2, metavar=("SPEC", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(*args.worker)
        return 0
    return run_bench(args.scale or [1, 10, 100], args.views, Path(args.out), browser=not args.no_browser)


if __name__ == "__main__":
    sys.exit(main())
