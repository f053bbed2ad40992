"""The `koe eval` and `koe bench` command groups, added to the `koe` command through the `koe.commands`
entry point (pyproject.toml): the product's CLI (flows/cli.py) never imports bench/. Commands import
their modules lazily, so `koe --help` stays instant."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SHARED_QUERIES = Path("../shared/data/asdc-inquiries/queries.jsonl")
EMBEDDER_HELP = "use, e5, tfidf ... (default: the product's, nlp.embed.DEFAULT)"


def _embedder(args: argparse.Namespace) -> str:
    from nlp.embed import DEFAULT

    return args.embedder or DEFAULT


def cmd_eval_topics(args: argparse.Namespace) -> int:
    from bench.eval_topics import evaluate

    result = evaluate(
        args.data,
        args.sample,
        args.seed,
        _embedder(args),
        baselines=not args.no_baselines,
        max_fit_docs=args.max_fit_docs or None,
    )
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_eval_faq_gaps(args: argparse.Namespace) -> int:
    from bench.eval_faq_gaps import evaluate

    print(json.dumps(evaluate(args.data, sample=args.sample), ensure_ascii=False))  # seeds 0, 1, 2
    return 0


def cmd_eval_demo_themes(args: argparse.Namespace) -> int:
    from bench.eval_demo import evaluate

    result = evaluate(args.seed, _embedder(args))
    for name, held in result["theme_of"].items():
        share, purity = held["share_in_one_theme"], held["theme_purity"]
        print(f"{name}: {share:.0%} in 「{held['theme']}」, whose complaints are {purity:.0%} {name}")
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_bench_pipeline(args: argparse.Namespace) -> int:
    from bench.pipeline import main

    return main(
        args.docs,
        seed=args.seed,
        embedder_name=_embedder(args),
        new_docs=args.new_docs,
        history_docs=args.history_docs,
        faq=args.faq,
        cache=args.cache_dir,
        complaint_share=args.complaint_share,
    )


def cmd_bench_prepare(args: argparse.Namespace) -> int:
    from bench.prepare import main

    return main(args.docs, args.database_url, workers=args.workers, seed=args.seed, embedder_name=_embedder(args))


def cmd_bench_fuzz(args: argparse.Namespace) -> int:
    from bench.fuzz import main

    return main(args.cases, seed=args.seed)


def cmd_eval_typing(args: argparse.Namespace) -> int:
    from bench.eval_typing import cross_validate, evaluate

    result = cross_validate() if args.cv else evaluate()
    combined = result["combined"] if args.cv else result
    for name, part in (
        ("combined", combined),
        ("lexicon only", result["lexicon_only"]),
        ("model only", result["model_only"]),
    ):
        per_type = "  ".join(f"{t} {s['f1']:.2f}" for t, s in part["per_type"].items())
        print(f"{name:13s} macro-F1 {part['macro_f1']:.3f}   F1: {per_type}")
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_eval_spikes(args: argparse.Namespace) -> int:
    from bench.eval_spikes import evaluate

    print(json.dumps(evaluate(args.data, seed=args.seed, replicates=args.replicates), ensure_ascii=False))
    return 0


def _data_arguments(parser: argparse.ArgumentParser, sample: bool) -> None:
    """What every evaluation reads: the labelled requests, a seed, and (most) a sample size."""
    parser.add_argument("--data", type=Path, default=SHARED_QUERIES, help="labelled requests (JSONL)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (samples, fits)")
    if sample:
        parser.add_argument("--sample", type=int, default=10000, help="requests drawn from the data")


def register(sub: argparse._SubParsersAction) -> None:
    ev = sub.add_parser("eval", help="quality evaluations").add_subparsers(dest="what", required=True)
    topics = ev.add_parser(
        "topics",
        help="NMI/ARI of the topic pipeline on labelled real inquiries",
    )
    _data_arguments(topics, sample=True)
    topics.add_argument("--embedder", default=None, help=EMBEDDER_HELP)
    topics.add_argument("--no-baselines", action="store_true", help="skip KMeans and default-BERTopic baselines")
    topics.add_argument("--max-fit-docs", type=int, default=20000, help="UMAP/HDBSCAN fit sample (0: all)")
    topics.set_defaults(func=cmd_eval_topics)
    spikes = ev.add_parser(
        "spikes",
        help="false positives, FDR and power of the spike detector (simulated)",
    )
    _data_arguments(spikes, sample=False)
    spikes.add_argument("--replicates", type=int, default=40, help="simulated datasets per scenario")
    spikes.set_defaults(func=cmd_eval_spikes)
    typing = ev.add_parser(
        "typing",
        help="precision/recall/F1 of message typing on the held-out labelled sentences (shipped with koe)",
    )
    typing.add_argument(
        "--cv",
        action="store_true",
        help="cross-validate on the training split instead (weighted to random review sentences; tune with this)",
    )
    typing.set_defaults(func=cmd_eval_typing)
    gaps = ev.add_parser(
        "faq-gaps",
        help="recall and precision of FAQ-gap suggestions on hidden real topics",
    )
    _data_arguments(gaps, sample=True)
    gaps.set_defaults(func=cmd_eval_faq_gaps)
    demo = ev.add_parser(
        "demo-themes",
        help="subtopics and themes of the demo shop's weekly fit against the templates it was generated from",
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed of the fit")
    demo.add_argument("--embedder", default=None, help=EMBEDDER_HELP)
    demo.set_defaults(func=cmd_eval_demo_themes)

    bench = sub.add_parser("bench", help="speed and memory measurements").add_subparsers(dest="what", required=True)
    pipeline = bench.add_parser(
        "pipeline",
        help="ingest to report on a large real-text corpus, timed per stage",
    )
    pipeline.add_argument("--docs", type=int, default=100000, help="documents of the 12-week corpus")
    pipeline.add_argument("--seed", type=int, default=0, help="random seed (samples, fits)")
    pipeline.add_argument("--embedder", default=None, help=EMBEDDER_HELP)
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
    fuzz = bench.add_parser("fuzz", help="malformed exports and mail through every reader into a store")
    fuzz.add_argument("--cases", type=int, default=10000, help="generated cases")
    fuzz.add_argument("--seed", type=int, default=0, help="random seed")
    fuzz.set_defaults(func=cmd_bench_fuzz)
    prepare = bench.add_parser(
        "prepare",
        help="koe prepare on a local Dask cluster vs in process (speed-up)",
    )
    prepare.add_argument("--docs", type=int, default=30000, help="documents per week")
    prepare.add_argument("--database-url", required=True, help="an empty PostgreSQL database for the Dask path")
    prepare.add_argument("--workers", type=int, default=2, help="Dask worker processes")
    prepare.add_argument("--seed", type=int, default=0, help="random seed (samples, fits)")
    prepare.add_argument("--embedder", default=None, help=EMBEDDER_HELP)
    prepare.set_defaults(func=cmd_bench_prepare)
