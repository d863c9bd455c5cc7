"""``python -m bench [--quick] [NAME ...]``: run every benchmark module in ``bench/``.

A benchmark module is ``bench/bench_<name>.py`` with ``run(quick: bool) -> list[dict]``. Each
dict is printed as one JSON line and has at least ``name, n, ours_s, baseline, baseline_s,
ratio`` (ratio = baseline_s / ours_s). A dict with ``"ok": false`` (its own requirement failed;
``"failed"`` says which) or a benchmark that raises makes the exit status 1.

Modules that need the database set ``NEEDS_DJANGO = True`` and import Django models inside
``run``; the harness then sets ``DJANGO_SETTINGS_MODULE=onewindow.settings`` (unless set) and
calls ``django.setup()`` before running them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import traceback
from pathlib import Path
from types import ModuleType

REQUIRED_KEYS = ("name", "n", "ours_s", "baseline", "baseline_s", "ratio")


def discover() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()


def _run(module: ModuleType, quick: bool) -> list[dict]:
    if getattr(module, "NEEDS_DJANGO", False):
        _setup_django()
    results = module.run(quick)
    for result in results:
        missing = [k for k in REQUIRED_KEYS if k not in result]
        if missing:
            raise ValueError(f"{module.__name__}: result lacks {missing}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, for CI smoke")
    parser.add_argument("names", nargs="*", help="only these benchmarks (e.g. deadlines)")
    args = parser.parse_args(argv)
    names = discover()
    if args.names:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in args.names}
        unknown = wanted - set(names)
        if unknown:
            parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
        names = [n for n in names if n in wanted]
    status = 0
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}")
            results = _run(module, args.quick)
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            print(json.dumps({"name": name, "ok": False, "failed": repr(exc)}), flush=True)
            status = 1
            continue
        for result in results:
            print(json.dumps(result, ensure_ascii=False), flush=True)
            if result.get("ok") is False:
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
