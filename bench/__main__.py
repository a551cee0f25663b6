"""python -m bench: build the SPEC §11 data set once, then print every figure beside its target.

    python -m bench                        # 100,000 families (built on the first run, ~12 minutes)
    python -m bench --families 200 --quick # a first try, under a minute

Runs against PostgreSQL only, in a database of its own whose name must contain
"bench" (default postgres://postgres@127.0.0.1:5432/fss_bench, or fss_bench_<N>
for another size). The data set is kept between runs; `--rebuild` drops the
database and builds it again.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fss_bench"
# For the synthetic bench data set only, so a set built once stays readable between runs.
BENCH_FIELD_ENCRYPTION_KEY = "YmVuY2gtb25seS1maWVsZC1rZXktbm90LWZvci11c2U="  # noqa: S105 - not a secret
BENCH_SECRET_KEY = "bench-only-secret-key-for-the-in-process-test-client-never-deployed"  # noqa: S105


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Build the SPEC §11 benchmark data set in PostgreSQL (once) and print each "
        "performance figure beside its target and a raw-SQL baseline for the same work.",
    )
    parser.add_argument(
        "--families", type=int, default=100_000, help="families in the data set (default 100000)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer timed runs and a small destruction batch (a first try)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"PostgreSQL URL whose database name contains 'bench' (default $BENCH_DATABASE_URL, else "
        f"{DEFAULT_DATABASE_URL} for 100000 families and ..._<N> for other sizes)",
    )
    parser.add_argument("--rebuild", action="store_true", help="drop the bench database and build it again")
    parser.add_argument(
        "--runs", type=int, default=None, help="timed requests per page (default 50; quick 10)"
    )
    parser.add_argument(
        "--destroy",
        type=int,
        default=None,
        help="due families added and destroyed by the real sweep (default 500, the nightly limit; quick 10)",
    )
    parser.add_argument(
        "--compare-families",
        type=int,
        default=None,
        help="also build a small set (default 1000 when --families is larger; 0 to skip) in "
        "<database>_<N> and compare the pages' query counts",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=["pages", "retention", "sar", "statistics"],
        help="measure only these (repeatable); default all",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON to this file")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data (default 1)")
    args = parser.parse_args(argv)
    if args.families < 1:
        parser.error("--families must be at least 1")
    args.runs = args.runs or (10 if args.quick else 50)
    args.destroy = args.destroy if args.destroy is not None else (10 if args.quick else 500)
    if args.compare_families is None:
        args.compare_families = 1000 if args.families > 1000 and not args.quick else 0
    args.only = set(args.only or ["pages", "retention", "sar", "statistics"])
    return args


def database_url(args: argparse.Namespace) -> str:
    """The bench database: as given, or fss_bench (100,000 families) / fss_bench_<N> by size."""
    url = args.database_url or os.environ.get("BENCH_DATABASE_URL")
    if url is None:
        url = DEFAULT_DATABASE_URL + ("" if args.families == 100_000 else f"_{args.families}")
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not parts.scheme.startswith("postgres"):
        sys.exit("python -m bench: the benchmark runs on PostgreSQL only (SPEC §11).")
    if "bench" not in name:
        sys.exit(
            f"python -m bench: refusing database {name!r}: its name must contain 'bench' (it may be rebuilt)."
        )
    return url


def configure_environment(url: str) -> None:
    """Production-shaped settings for an in-process run: DEBUG off, MFA on, no HTTPS redirect."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fss.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", BENCH_FIELD_ENCRYPTION_KEY)
    os.environ.setdefault("MFA_REQUIRED", "true")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    name = urlsplit(url).path.lstrip("/")
    os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "fss-bench-media" / name))


def ensure_database(url: str, *, rebuild: bool) -> None:
    """Create the bench database if it is missing (dropping it first with --rebuild)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if rebuild:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            media = Path(os.environ["MEDIA_ROOT"])
            if media.is_dir() and "fss-bench-media" in str(media):
                import shutil

                shutil.rmtree(media)
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def small_set_query_counts(args: argparse.Namespace, url: str) -> dict | None:
    """Build (once) and measure the small comparison set in another process; returns its page figures."""
    if not args.compare_families:
        return None
    parts = urlsplit(url)
    small_url = urlunsplit(parts._replace(path=f"{parts.path}_{args.compare_families}"))
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "bench", "--families", str(args.compare_families)]
        command += ["--database-url", small_url, "--only", "pages", "--runs", "10", "--compare-families", "0"]
        command += ["--json", out.name, "--seed", str(args.seed)]
        print(
            f"\nSmall set for the query-count comparison ({args.compare_families:,} families) ...", flush=True
        )
        project = Path(__file__).resolve().parent.parent
        subprocess.run(command, check=True, cwd=project)  # noqa: S603 - our own command line
        return json.loads(Path(out.name).read_text())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = database_url(args)
    configure_environment(url)
    ensure_database(url, rebuild=args.rebuild)

    import django

    django.setup()
    from django.core.management import call_command

    from bench import generate, measure

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    dataset = generate.read_meta().get("dataset")
    if dataset and dataset["families"] != args.families:
        sys.exit(
            f"python -m bench: {urlsplit(url).path.lstrip('/')} holds {dataset['families']:,} families, not "
            f"{args.families:,}. Add --rebuild to build it again, or use another --database-url."
        )
    if not dataset:
        print(
            f"Building the data set: {args.families:,} families (once; kept for later runs) ...", flush=True
        )
        dataset = generate.generate(families=args.families, seed=args.seed)
        print(
            f"  built in {dataset['runtime_seconds']:.0f} s: {dataset['total_rows']:,} rows, "
            f"{dataset['encrypted_values']:,} values encrypted at "
            f"{dataset['seconds_per_encryption'] * 1e6:.1f} µs each",
            flush=True,
        )
    small = small_set_query_counts(args, url) if "pages" in args.only else None
    results = measure.run_all(args=args, dataset=dataset, small=small)
    measure.print_results(results, dataset=dataset, args=args, elapsed=time.perf_counter() - started)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
