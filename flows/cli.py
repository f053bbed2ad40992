"""The `koe` command line. Subcommands import their flows lazily: `koe --help` stays instant."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path
from typing import TypeVar

from nlp.columns import KINDS

# Set before prefect is imported (ARCHITECTURE.md, "Prefect"): offline, Prefect's telemetry only logs errors;
# the temporary API's 20 s start-up limit failed every flow command on a busy 2-core machine; koe's own
# loggers (pipeline stages) go to the flow run's log.
STARTUP_TIMEOUT_VARIABLE = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault(STARTUP_TIMEOUT_VARIABLE, "300")
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "koe")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")  # koe's logs outside a flow (bench)
PREFECT_START_FAILED = "Timed out while attempting to connect to ephemeral Prefect API server"

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
    from nlp.pii import make_redactor
    from pipeline.ingest import ingest_file

    report = _imported(
        lambda: ingest_file(
            _engine(),
            args.path,
            source=args.source,
            kind=args.kind,
            mapping=_mapping(args.map),
            redactor=make_redactor(_settings().order_patterns),
        )
    )
    if report is None:
        return 2
    print(report.counts())
    return 0


def cmd_retype(args: argparse.Namespace) -> int:
    from pipeline.retype import retype

    print(retype(_engine()).summary())
    return 0


def cmd_teach(args: argparse.Namespace) -> int:
    from nlp.pii import make_redactor
    from pipeline.classify import lines_of
    from pipeline.teach import forget, suggestions, taught_lines, teach

    suggest = args.suggest is not False  # --suggest [N]; N None: the default count
    if args.list or suggest:
        lines = taught_lines(_engine()) if args.list else suggestions(_engine(), args.suggest)
        for line in lines:
            print(line)
        if suggest:
            print(
                f"koe: {len(lines)} messages koe is least sure of: fix the type column, then koe teach FILE",
                file=sys.stderr,
            )
        return 0
    if not args.path:
        print("koe: teach needs a file of type<TAB>text lines, - for stdin, or --list", file=sys.stderr)
        return 2
    redactor = make_redactor(_settings().order_patterns)
    try:
        done = (forget if args.forget else teach)(_engine(), lines_of(args.path, sys.stdin), redactor)
    except OSError as exc:
        print(f"koe: {args.path}: {exc.strerror}", file=sys.stderr)
        return 2
    for problem in done.problems():
        print(problem, file=sys.stderr)
    print(done.summary())
    return 0 if done else 1


def cmd_classify(args: argparse.Namespace) -> int:
    from nlp.pii import make_redactor
    from pipeline.classify import Typed, classify_rows, rows_of
    from pipeline.typing import typer_for
    from sources.records import SourceError

    redactor = make_redactor(_settings().order_patterns)
    typer = typer_for(_engine())  # the store's: the shop's own rated reviews teach it once there are enough
    try:
        for item in classify_rows(rows_of(args.path, sys.stdin, _mapping(args.map)), typer, redactor, args.kind):
            if isinstance(item, Typed):
                print(item.line)
            else:
                print(f"rejected {item}", file=sys.stderr)
    except SourceError as exc:
        print(f"koe: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"koe: {args.path}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


def _settings():
    """The settings, validated before any flow starts: a bad koe.toml or KOE_* value is one line, at once."""
    from pydantic import ValidationError

    from flows.settings import ConfigFileError, Settings

    try:
        return Settings()
    except ConfigFileError as exc:
        raise SystemExit(f"koe: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise SystemExit(f"koe: setting {where}: {first['msg']}") from None


def cmd_weekly(args: argparse.Namespace) -> int:
    from flows.ingest_flow import SourcesFailed
    from flows.weekly import weekly_report

    _settings()
    try:
        print(weekly_report(week_of=args.week_of, refit=args.refit))
    except SourcesFailed as exc:  # the report exists and names them; cron must still see the failure
        print(f"koe: {exc} (named at the top of the report)", file=sys.stderr)
        print(exc.report)
        return 4
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from flows.demo import DemoStoreInUse, check_store, demo_report
    from store.db import make_engine

    settings = _settings()
    try:
        check_store(make_engine(settings.database_url), settings.database_url)  # before Prefect starts
        outputs = demo_report(out_dir=args.out).weekly
    except DemoStoreInUse as exc:
        print(f"koe: {exc}", file=sys.stderr)
        return 2
    week = outputs.summary.week_start
    print(f"\nThe demo shop is in {settings.database_url}; every command reads that store. Next:")
    print("  uv run koe release list                            # the shop's release calendar")
    print(f"  uv run koe weekly                                  # this report again (the data's last week, {week})")
    print("  uv run koe release-check --release サイトリニューアル  # did complaints rise after the redesign?")
    print("  uv run koe faq gaps                                # questions the FAQ does not answer")
    print("  uv run koe teach --suggest                         # messages whose type koe doubts: fix, teach back")
    print(f"topics CSV: {outputs.csv}")
    print(outputs.html)
    return 0


def _engine():
    from store.db import make_engine

    return make_engine(_settings().database_url)


def cmd_release_import(args: argparse.Namespace) -> int:
    from pipeline.imports import import_releases

    report = _imported(lambda: import_releases(_engine(), args.path))
    if report is None:
        return 2
    print(report.counts())
    return 0


def cmd_release_add(args: argparse.Namespace) -> int:
    from pipeline.imports import store_releases
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


def format_release(release) -> str:
    end = f" 〜 {release.end:%Y-%m-%d %H:%M}" if release.end else ""
    area = f"  [{release.area}]" if release.area else ""
    return f"{release.start:%Y-%m-%d %H:%M}{end}  {release.kind:<9} {release.name}{area}"


def cmd_release_list(args: argparse.Namespace) -> int:
    from store import repo
    from store.db import session_scope

    with session_scope(_engine()) as session:
        releases = repo.list_releases(session)
    for release in releases:
        print(release.name if args.names else format_release(release))
    return 0


def cmd_themes_list(args: argparse.Namespace) -> int:
    from pipeline.curation import list_themes

    lines = list_themes(_engine())
    if not lines:
        print("koe: no weekly run yet (koe weekly, or koe demo)", file=sys.stderr)
        return 1
    print("ID\t名前\t件数\tサブトピック\tモデルの名前")
    for t in lines:
        shown = f"→ {t.merged_into} に統合" if t.merged_into is not None else t.name
        print(f"{t.theme_id}\t{shown}\t{t.size}\t{t.n_subtopics}\t{t.fitted_name}")
    return 0


def cmd_themes_curate(args: argparse.Namespace) -> int:
    from pipeline.curation import CurationError, merge_themes, rename_theme

    try:
        if args.action == "rename":
            rename_theme(_engine(), args.theme_id, args.name)
            print(f"theme {args.theme_id}: 「{args.name}」 from the next run on")
        else:
            merge_themes(_engine(), args.theme_id, args.into)
            print(f"theme {args.theme_id}: shown as part of theme {args.into} from the next run on")
    except CurationError as exc:
        print(f"koe: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_release_check(args: argparse.Namespace) -> int:
    from flows.release_check import release_check
    from pipeline.release_check import CheckRequest, ReleaseCheckError, validate

    try:
        validate(_engine(), CheckRequest(args.release, args.date))  # before Prefect starts: fails in a second
        path = release_check(
            release=args.release, date=args.date, post_days=args.post_days, pre_days=args.pre_days, refit=args.refit
        )
    except ReleaseCheckError as exc:
        print(f"koe: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def cmd_sources_list(args: argparse.Namespace) -> int:
    from store import repo
    from store.db import session_scope

    with session_scope(_engine()) as session:
        summaries = repo.source_summaries(session)
    if not summaries:
        print("no documents stored yet (koe ingest, koe demo, or sources in koe.toml)")
    for s in summaries:
        cursor = f"  cursor {s.cursor}" if s.cursor else ""
        print(f"{s.source:<24} {s.documents:>9,} documents  {s.first:%Y-%m-%d} 〜 {s.last:%Y-%m-%d}{cursor}")
    return 0


def cmd_sources_remove(args: argparse.Namespace) -> int:
    from store import repo
    from store.db import session_scope

    engine = _engine()
    with session_scope(engine) as session:
        count = repo.source_counts(session).get(args.name)
    if count is None:
        print(f"koe: no documents from a source named {args.name!r} (koe sources list)", file=sys.stderr)
        return 2
    if not args.yes:
        print(f"This removes {count:,} documents of {args.name!r} and their topic assignments.", file=sys.stderr)
        try:
            answer = input(f"Type the source name to confirm ({args.name}): ")
        except EOFError:
            answer = ""
        if answer.strip() != args.name:
            print("koe: not removed", file=sys.stderr)
            return 1
    with session_scope(engine) as session:
        removed = repo.remove_source(session, args.name)
    print(f"removed {removed:,} documents of {args.name!r}")
    return 0


def cmd_faq_import(args: argparse.Namespace) -> int:
    from pipeline.imports import import_faq

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

    _settings()
    print(f"CSV: {faq_gaps(week_of=args.week_of, top=args.top, refit=args.refit)}")
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    from flows.scale import run_prepare
    from pipeline.calendar import last_complete_week, week_start

    week = week_start(args.week_of) if args.week_of else last_complete_week(date.today())
    print(f"tokenized and embedded {run_prepare(_settings(), week, args.workers)} texts")
    return 0


def cmd_server_up(args: argparse.Namespace) -> int:
    from flows.server import up

    return up(args.port, wait=args.wait, log_dir=args.log_dir)


class HelpWithDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help ends with its default, except options whose default is "not given" (None, off)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False) or action.default is argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)


def parser() -> argparse.ArgumentParser:

    p = argparse.ArgumentParser(
        prog="koe",
        description="koe (声): voice-of-customer mining for Japanese e-commerce",
    )
    p.add_argument("--verbose", action="store_true", help="Prefect's and the libraries' logs too (quiet without)")
    sub = p.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="store tickets or reviews from a CSV/TSV/JSONL/XLSX export")
    ingest.add_argument("path", type=Path, help="the export file")
    ingest.add_argument("--source", required=True, help="name of the source, e.g. zendesk-export")
    ingest.add_argument("--kind", required=True, choices=["ticket", "review"], help="tickets or reviews")
    ingest.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="map a column to a field (id, created_at, title, body, rating, channel, product, agent_reply)",
    )
    ingest.set_defaults(func=cmd_ingest)

    classify = sub.add_parser(
        "classify",
        help="type each message complaint/question/request/praise/other: prints type<TAB>text (redacted)",
    )
    classify.add_argument(
        "path", help="a text file (one message per line), an export (CSV/TSV/JSONL/XLSX: its text column), or -"
    )
    classify.add_argument(
        "--map", action="append", default=[], metavar="COLUMN=FIELD", help="an export's text column: COLUMN=body"
    )
    classify.add_argument(
        "--kind",
        choices=KINDS,
        default="ticket",
        help="tickets (praise needs words of thanks or praise) or reviews; rows with a rating are reviews",
    )
    classify.set_defaults(func=cmd_classify)
    teach = sub.add_parser(
        "teach",
        help="learn corrected types: type<TAB>text lines (koe classify's output, edited) from a file or -",
    )
    teach.add_argument("path", nargs="?", help="a file of type<TAB>text lines (type: complaint ... or 苦情 ...), or -")
    teach.add_argument("--list", action="store_true", help="print what was taught, as type<TAB>text lines")
    teach.add_argument(
        "--forget", action="store_true", help="remove the lessons of PATH's lines (as --list prints them, or texts)"
    )
    teach.add_argument(
        "--suggest",
        type=int,
        nargs="?",
        default=False,
        const=None,
        metavar="N",
        help="print the N messages of the last days koe is least sure how to type, as type<TAB>text lines",
    )
    teach.set_defaults(func=cmd_teach)
    sub.add_parser(
        "retype", help="type every stored message again with the current typer (after an upgrade or retraining)"
    ).set_defaults(func=cmd_retype)

    weekly = sub.add_parser("weekly", help="run the weekly report flow (settings from KOE_* variables)")
    weekly.add_argument("--week-of", type=date.fromisoformat, default=None, help="any day of the week to report")
    weekly.add_argument("--refit", action="store_true", help="fit the topics again instead of reusing the last run's")
    weekly.set_defaults(func=cmd_weekly)

    demo = sub.add_parser(
        "demo",
        help="the bundled sample shop into the store (KOE_DATABASE_URL, default data/koe.db), its reports",
    )
    demo.add_argument("--out", type=Path, default=None, help="reports go here (default KOE_OUT_DIR, data/out)")
    demo.set_defaults(func=cmd_demo)

    prepare = sub.add_parser(
        "prepare",
        help="tokenize and embed a weekly window's new texts on a Dask cluster (KOE_DASK_ADDRESS)",
    )
    prepare.add_argument("--week-of", type=date.fromisoformat, default=None, help="any day of the week (default: last)")
    prepare.add_argument("--workers", type=int, default=2, help="local cluster size when no address is set")
    prepare.set_defaults(func=cmd_prepare)

    server = sub.add_parser("server", help="a local Prefect server running koe's deployments")
    server_up = server.add_subparsers(dest="action", required=True).add_parser(
        "up",
        help="start a Prefect server on 127.0.0.1, create the work pool, deploy prefect.yaml, start a worker",
    )
    server_up.add_argument("--port", type=int, default=4200, help="the server's port")
    server_up.add_argument("--wait", type=float, default=180, help="seconds to wait for the server's /health")
    server_up.add_argument(
        "--log-dir",
        type=Path,
        default=Path("data/out/server"),
        help="where server.log and worker.log go",
    )
    server_up.set_defaults(func=cmd_server_up)

    release = sub.add_parser("release", help="the release calendar").add_subparsers(dest="action", required=True)
    rel_import = release.add_parser(
        "import",
        help="add the releases of a CSV calendar (name, kind, start, end, area, notes)",
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

    themes = sub.add_parser("themes", help="the last weekly run's themes; rename or merge them")
    themes_sub = themes.add_subparsers(dest="action", required=True)
    themes_sub.add_parser("list", help="id, name, size and subtopics of each theme").set_defaults(func=cmd_themes_list)
    rename = themes_sub.add_parser("rename", help="give a theme the name later reports show")
    rename.add_argument("theme_id", type=int)
    rename.add_argument("name")
    rename.set_defaults(func=cmd_themes_curate)
    merge = themes_sub.add_parser("merge", help="show a theme as part of another from now on")
    merge.add_argument("theme_id", type=int)
    merge.add_argument("into", type=int)
    merge.set_defaults(func=cmd_themes_curate)

    sources = sub.add_parser("sources", help="the sources stored so far").add_subparsers(dest="action", required=True)
    sources_list = sources.add_parser("list", help="each source: documents, first and last day, cursor")
    sources_list.set_defaults(func=cmd_sources_list)
    sources_remove = sources.add_parser("remove", help="remove every document of one source (asks first)")
    sources_remove.add_argument("name")
    sources_remove.add_argument("--yes", action="store_true", help="do not ask (scripts)")
    sources_remove.set_defaults(func=cmd_sources_remove)

    faq = sub.add_parser("faq", help="the shop's FAQ").add_subparsers(dest="action", required=True)
    faq_import = faq.add_parser(
        "import",
        help="import the FAQ from CSV/TSV/JSONL/Markdown or a saved HTML page",
    )
    faq_import.add_argument("path", type=Path)
    faq_import.set_defaults(func=cmd_faq_import)
    faq_gaps = faq.add_parser(
        "gaps",
        help="ranked questions the FAQ does not answer; writes them all to a CSV",
    )
    faq_gaps.add_argument("--week-of", type=date.fromisoformat, default=None, help="any day of the period's last week")
    faq_gaps.add_argument("--top", type=int, default=10, help="how many to print")
    faq_gaps.add_argument("--refit", action="store_true", help="fit the topics again instead of the last fit's")
    faq_gaps.set_defaults(func=cmd_faq_gaps)

    check = sub.add_parser("release-check", help="did complaints rise after a release? (HTML report)")
    target = check.add_mutually_exclusive_group(required=True)
    target.add_argument("--release", help="a release name from `koe release list`")
    target.add_argument("--date", type=date.fromisoformat, help="or a date (YYYY-MM-DD)")
    # defaults from the settings (KOE_RELEASE_*; pipeline/config.py): --help imports nothing heavy to show them
    check.add_argument(
        "--post-days", type=int, default=None, help="days from the release (default KOE_RELEASE_POST_DAYS)"
    )
    check.add_argument("--pre-days", type=int, default=None, help="days before it (default KOE_RELEASE_PRE_DAYS)")
    check.add_argument("--refit", action="store_true", help="fit the topics again instead of the last weekly run's")
    check.set_defaults(func=cmd_release_check)

    # more command groups from installed plugins (bench/cli.py adds `eval` and `bench`): flows never imports them
    for plugin in entry_points(group="koe.commands"):
        plugin.load()(sub)
    _help_with_defaults(p)
    return p


def _help_with_defaults(parser: argparse.ArgumentParser) -> None:
    """Every command's help, the plugins' included, ends each option with its default."""
    parser.formatter_class = HelpWithDefaults
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _help_with_defaults(child)


def main(argv: list[str] | None = None) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from flows import console

    args = parser().parse_args(argv)
    if args.verbose:  # before any command imports prefect
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    console.configure(verbose=args.verbose)
    try:
        return args.func(args)
    except SQLAlchemyError as exc:  # its message lists the statement's parameters: customer text, never shown
        reason = getattr(exc, "orig", None) or exc.__class__.__name__
        print(f"koe: the store refused the operation ({type(exc).__name__}: {reason})", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        if PREFECT_START_FAILED not in str(exc):
            raise
        print(
            f"koe: Prefect's temporary API did not start within {os.environ[STARTUP_TIMEOUT_VARIABLE]} s (a busy "
            f"machine?); set {STARTUP_TIMEOUT_VARIABLE} higher, or start `koe server up` and set PREFECT_API_URL",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
