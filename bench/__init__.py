"""Benchmarks (`make bench`): every ``bench/bench_*.py`` exposes ``run(quick) -> list[dict]``."""
