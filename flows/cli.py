"""The `koe` command line. Subcommands import their flows lazily: `koe --help` stays instant."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

# Offline machines: Prefect's telemetry only logs errors here (NOTES.md). Set before prefect is imported.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

T = TypeVar("T")


def _mapping(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        column, sep, field = pair.partition("=")
        if not sep or not column or not field:
            raise SystemExit(f"koe: --map expects COLUMN=FIELD, got {pair!r}")
        out[column] = field
    return out


def _imported(load: Callable[[], T]) -> T | None:
    """Run an import; an unusable input is one error line (None), bad rows one `rejected` line each."""
    from sources.records import SourceError

    try:
        result = load()
    except SourceError as exc:
        print(f"koe: {exc}", file=sys.stderr)
        return None
    for reject in result.rejects:
        print(f"rejected {reject}", file=sys.stderr)
    return result


def cmd_ingest(args: argparse.Namespace) -> int:
    from flows.ingest import ingest_file
    from flows.settings import Settings
    from nlp.pii import make_redactor

    report = _imported(
        lambda: ingest_file(
            _engine(),
            args.path,
            source=args.source,
            kind=args.kind,
            mapping=_mapping(args.map),
            redactor=make_redactor(Settings().order_patterns),
        )
    )
    if report is None:
        return 2
    print(report.counts())
    return 0


def cmd_weekly(args: argparse.Namespace) -> int:
    from flows.weekly import weekly_report

    print(weekly_report(week_of=args.week_of, refit=args.refit))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from flows.demo import demo_report

    outputs = demo_report(out_dir=args.out).weekly
    print(f"topics CSV: {outputs.csv}")
    print(outputs.html)
    return 0


def cmd_eval_topics(args: argparse.Namespace) -> int:
    from bench.eval_topics import evaluate

    result = evaluate(
        args.data,
        args.sample,
        args.seed,
        args.embedder,
        baselines=not args.no_baselines,
        max_fit_docs=args.max_fit_docs or None,
    )
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _engine():
    from flows.settings import Settings
    from store.db import make_engine

    return make_engine(Settings().database_url)


def cmd_release_import(args: argparse.Namespace) -> int:
    from flows.releases import import_releases

    report = _imported(lambda: import_releases(_engine(), args.path))
    if report is None:
        return 2
    print(report.counts())
    return 0


def cmd_release_add(args: argparse.Namespace) -> int:
    from flows.releases import store_releases
    from sources.releases import make_release

    try:
        release = make_release(args.name, args.kind, args.start, args.end, args.area, args.notes)
    except ValueError as exc:
        print(f"koe: release {args.name!r}: {exc}", file=sys.stderr)
        return 2
    new, _ = store_releases(_engine(), [release])
    if not new:
        print(f"koe: a release named {args.name!r} exists already", file=sys.stderr)
        return 1
    print(f"added {release.kind} {release.name!r} starting {release.start:%Y-%m-%d %H:%M}")
    return 0


def cmd_release_list(args: argparse.Namespace) -> int:
    from flows.releases import format_release
    from store import repo
    from store.db import session_scope

    with session_scope(_engine()) as session:
        releases = repo.list_releases(session)
    for release in releases:
        print(release.name if args.names else format_release(release))
    return 0


def cmd_release_check(args: argparse.Namespace) -> int:
    from flows.release_check import ReleaseCheckError, release_check

    try:
        path = release_check(
            release=args.release, date=args.date, post_days=args.post_days, pre_days=args.pre_days, refit=args.refit
        )
    except ReleaseCheckError as exc:
        print(f"koe: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def cmd_faq_import(args: argparse.Namespace) -> int:
    from flows.faq import import_faq

    result = _imported(lambda: import_faq(_engine(), args.path))
    if result is None:
        return 2
    if result.version_id is None:
        print(f"FAQ unchanged ({result.entries} entries): nothing stored")
    else:
        print(f"imported {result.entries} FAQ entries as version {result.version_id} (earlier versions kept)")
    return 0


def cmd_faq_gaps(args: argparse.Namespace) -> int:
    from flows.faq_gaps import faq_gaps

    print(f"CSV: {faq_gaps(week_of=args.week_of, top=args.top, refit=args.refit)}")
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    from flows import analysis
    from flows.scale import run_prepare
    from flows.settings import Settings

    week = analysis.week_start(args.week_of) if args.week_of else analysis.last_complete_week(date.today())
    print(f"tokenized and embedded {run_prepare(Settings(), week, args.workers)} texts")
    return 0


def cmd_server_up(args: argparse.Namespace) -> int:
    from flows.server import up

    return up(args.port)


def cmd_eval_faq_gaps(args: argparse.Namespace) -> int:
    from bench.eval_faq_gaps import evaluate

    print(json.dumps(evaluate(args.data, seed=args.seed, sample=args.sample), ensure_ascii=False))
    return 0


def cmd_bench_pipeline(args: argparse.Namespace) -> int:
    from bench.pipeline import main

    return main(
        args.docs,
        seed=args.seed,
        embedder_name=args.embedder,
        new_docs=args.new_docs,
        history_docs=args.history_docs,
        faq=args.faq,
        cache=args.cache_dir,
        complaint_share=args.complaint_share,
    )


def cmd_bench_prepare(args: argparse.Namespace) -> int:
    from bench.prepare import main

    return main(args.docs, args.database_url, workers=args.workers, seed=args.seed, embedder_name=args.embedder)


def cmd_eval_spikes(args: argparse.Namespace) -> int:
    from bench.eval_spikes import evaluate

    print(json.dumps(evaluate(args.data, seed=args.seed, replicates=args.replicates), ensure_ascii=False))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="koe", description="koe (声): voice-of-customer mining for Japanese e-commerce")
    sub = p.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="store tickets or reviews from a CSV/TSV/JSONL/XLSX export")
    ingest.add_argument("path", type=Path)
    ingest.add_argument("--source", required=True, help="name of the source, e.g. zendesk-export")
    ingest.add_argument("--kind", required=True, choices=["ticket", "review"])
    ingest.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="map a column to a field (id, created_at, title, body, rating, channel, product, agent_reply)",
    )
    ingest.set_defaults(func=cmd_ingest)

    weekly = sub.add_parser("weekly", help="run the weekly report flow (settings from KOE_* variables)")
    weekly.add_argument("--week-of", type=date.fromisoformat, default=None, help="any day of the week to report")
    weekly.add_argument("--refit", action="store_true", help="fit the topics again instead of reusing the last run's")
    weekly.set_defaults(func=cmd_weekly)

    demo = sub.add_parser("demo", help="the weekly report on the bundled sample shop")
    demo.add_argument("--out", type=Path, default=Path("data/out/demo"))
    demo.set_defaults(func=cmd_demo)

    prepare = sub.add_parser(
        "prepare", help="tokenize and embed a weekly window's new texts on a Dask cluster (KOE_DASK_ADDRESS)"
    )
    prepare.add_argument("--week-of", type=date.fromisoformat, default=None)
    prepare.add_argument("--workers", type=int, default=2, help="local cluster size when no address is set")
    prepare.set_defaults(func=cmd_prepare)

    server = sub.add_parser("server", help="a local Prefect server running koe's deployments")
    server_up = server.add_subparsers(dest="action", required=True).add_parser(
        "up", help="start a Prefect server on 127.0.0.1, create the work pool, deploy prefect.yaml, start a worker"
    )
    server_up.add_argument("--port", type=int, default=4200)
    server_up.set_defaults(func=cmd_server_up)

    release = sub.add_parser("release", help="the release calendar").add_subparsers(dest="action", required=True)
    rel_import = release.add_parser(
        "import", help="add the releases of a CSV calendar (name, kind, start, end, area, notes)"
    )
    rel_import.add_argument("path", type=Path)
    rel_import.set_defaults(func=cmd_release_import)
    rel_add = release.add_parser("add", help="add one release")
    rel_add.add_argument("name")
    rel_add.add_argument("--kind", required=True, help="launch, redesign, campaign, incident or other")
    rel_add.add_argument("--start", required=True, help="Asia/Tokyo time, e.g. '2026-10-19 10:00'")
    rel_add.add_argument("--end")
    rel_add.add_argument("--area", help="affected product or area")
    rel_add.add_argument("--notes")
    rel_add.set_defaults(func=cmd_release_add)
    rel_list = release.add_parser("list", help="the releases, oldest first")
    rel_list.add_argument("--names", action="store_true", help="one name per line")
    rel_list.set_defaults(func=cmd_release_list)

    faq = sub.add_parser("faq", help="the shop's FAQ").add_subparsers(dest="action", required=True)
    faq_import = faq.add_parser("import", help="import the FAQ from CSV/TSV/JSONL/Markdown or a saved HTML page")
    faq_import.add_argument("path", type=Path)
    faq_import.set_defaults(func=cmd_faq_import)
    faq_gaps = faq.add_parser("gaps", help="ranked questions the FAQ does not answer; writes them all to a CSV")
    faq_gaps.add_argument("--week-of", type=date.fromisoformat, default=None, help="any day of the period's last week")
    faq_gaps.add_argument("--top", type=int, default=10, help="how many to print")
    faq_gaps.add_argument("--refit", action="store_true", help="fit the topics again instead of the last fit's")
    faq_gaps.set_defaults(func=cmd_faq_gaps)

    check = sub.add_parser("release-check", help="did complaints rise after a release? (HTML report)")
    target = check.add_mutually_exclusive_group(required=True)
    target.add_argument("--release", help="a release name from `koe release list`")
    target.add_argument("--date", type=date.fromisoformat, help="or a date (YYYY-MM-DD)")
    check.add_argument("--post-days", type=int, default=14)
    check.add_argument("--pre-days", type=int, default=56)
    check.add_argument("--refit", action="store_true", help="fit the topics again instead of the last weekly run's")
    check.set_defaults(func=cmd_release_check)

    ev = sub.add_parser("eval", help="quality evaluations").add_subparsers(dest="what", required=True)
    topics = ev.add_parser("topics", help="NMI/ARI of the topic pipeline on labelled real inquiries")
    topics.add_argument("--data", type=Path, default=Path("../shared/data/asdc-inquiries/queries.jsonl"))
    topics.add_argument("--sample", type=int, default=10000)
    topics.add_argument("--seed", type=int, default=0)
    topics.add_argument("--embedder", default="use")
    topics.add_argument("--no-baselines", action="store_true")
    topics.add_argument("--max-fit-docs", type=int, default=20000, help="UMAP/HDBSCAN fit sample (0: all)")
    topics.set_defaults(func=cmd_eval_topics)
    spikes = ev.add_parser("spikes", help="false positives, FDR and power of the spike detector (simulated)")
    spikes.add_argument("--data", type=Path, default=Path("../shared/data/asdc-inquiries/queries.jsonl"))
    spikes.add_argument("--seed", type=int, default=0)
    spikes.add_argument("--replicates", type=int, default=40)
    spikes.set_defaults(func=cmd_eval_spikes)
    gaps = ev.add_parser("faq-gaps", help="recall and precision of FAQ-gap suggestions on hidden real topics")
    gaps.add_argument("--data", type=Path, default=Path("../shared/data/asdc-inquiries/queries.jsonl"))
    gaps.add_argument("--seed", type=int, default=0)
    gaps.add_argument("--sample", type=int, default=10000)
    gaps.set_defaults(func=cmd_eval_faq_gaps)

    bench = sub.add_parser("bench", help="speed and memory measurements").add_subparsers(dest="what", required=True)
    pipeline = bench.add_parser("pipeline", help="ingest to report on a large real-text corpus, timed per stage")
    pipeline.add_argument("--docs", type=int, default=100000)
    pipeline.add_argument("--seed", type=int, default=0)
    pipeline.add_argument("--embedder", default="use")
    pipeline.add_argument("--new-docs", type=int, default=20000, help="documents of the incremental new week")
    pipeline.add_argument(
        "--history-docs", type=int, default=1_000_000, help="stored history under the new week (0: the --docs store)"
    )
    pipeline.add_argument("--faq", action="store_true", help="also the FAQ-gap model (weekly runs with an FAQ)")
    pipeline.add_argument(
        "--complaint-share", type=float, default=None, help="make this share of the 100k complaints (natural: ~8%%)"
    )
    pipeline.add_argument(
        "--cache-dir", type=Path, default=Path.home() / ".cache" / "koe" / "bench", help="where the history is kept"
    )
    pipeline.set_defaults(func=cmd_bench_pipeline)
    prepare = bench.add_parser("prepare", help="koe prepare on a local Dask cluster vs in process (speed-up)")
    prepare.add_argument("--docs", type=int, default=30000)
    prepare.add_argument("--database-url", required=True, help="an empty PostgreSQL database for the Dask path")
    prepare.add_argument("--workers", type=int, default=2)
    prepare.add_argument("--seed", type=int, default=0)
    prepare.add_argument("--embedder", default="use")
    prepare.set_defaults(func=cmd_bench_prepare)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
