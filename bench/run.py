#!/usr/bin/env python3
"""`make bench`: runs every bench/bench_*.py (or those named: `bench/run.py home`) and sums up.

Each prints `name: figure (target: ...) PASS/FAIL`; the exit code is 1 if any figure missed.
"""

import importlib
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))


def main(names: list[str]) -> int:
    modules = sorted(path.stem for path in BENCH_DIR.glob("bench_*.py"))
    if names:
        unknown = [name for name in names if f"bench_{name}" not in modules]
        if unknown:
            sys.exit(f"No benchmark named {', '.join(unknown)}; there are: {', '.join(m[6:] for m in modules)}")
        modules = [f"bench_{name}" for name in names]
    results = []
    for module_name in modules:
        print(f"== {module_name}", flush=True)
        started = time.monotonic()
        module = importlib.import_module(f"bench.{module_name}")
        results.extend(module.main())
        print(f"   ({time.monotonic() - started:.0f}s)", flush=True)
    failed = [result for result in results if not result.passed]
    print(f"bench: {len(results) - len(failed)} of {len(results)} figures on target", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
