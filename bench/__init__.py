"""Benchmarks for SPEC §11: run on demand with `python -m bench`, never as tests.

- `bench.generate` builds the large data set in PostgreSQL (COPY, minutes not hours);
- `bench.measure` times each §11 figure, each beside a raw-SQL baseline for the same work;
- `bench.__main__` is the command line; `docs/performance.md` keeps the last results.
"""
