"""A large, realistic bench corpus built from real Japanese text in ../shared/data (CC BY 4.0):
asdc customer requests and operator-chat customer turns (Accommodation Search Dialog Corpus, Megagon Labs /
Recruit Co., Ltd.) and quasi-review sentences (Quasi Japanese Reviews, Yuta Hayashibe, Megagon Labs).

Documents recombine one to three real pieces (so most texts are distinct, as real tickets are), with
seeded timestamps over whole weeks (weekday-heavy), some pasted personal data for the redactor to find,
and a fifth of them as reviews with stars that agree with their text. Nothing here is committed: the
corpus is rebuilt from ../shared/data on every bench run.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
BENCH_COLUMNS = ("id", "created_at", "kind", "rating", "product", "body")
PRODUCTS = ("ステンレス水筒 500ml", "リネンシャツ", "陶器マグカップ", "ワイヤレスイヤホン", "防水スニーカー")
_PII = ("注文番号は KM-{n:06d} です。", "連絡先は user{n}@example.jp です。", "電話番号 090-{a:04d}-{b:04d} です。")


@dataclass(frozen=True)
class Pools:
    requests: list[str]  # single-utterance customer requests and chat turns
    review_sentences: list[str]


def load_pools(shared: Path = SHARED) -> Pools:
    requests = []
    with (shared / "asdc-inquiries" / "queries.jsonl").open(encoding="utf-8") as f:
        requests += [json.loads(line)["text"] for line in f]
    with (shared / "asdc-inquiries" / "dialogs.jsonl").open(encoding="utf-8") as f:
        for line in f:
            requests += [t["text"] for t in json.loads(line)["turns"] if t["speaker"] == "customer"]
    sentences = []
    with (shared / "quasi-reviews" / "reviews.jsonl").open(encoding="utf-8") as f:
        for line in f:
            sentences += json.loads(line)["sentences"]
    return Pools([r for r in requests if r.strip()], [s for s in sentences if s.strip()])


def complaint_pieces(pools: Pools) -> list[str]:
    """The pieces koe's own classifier types as complaints (nlp.doctype), for a complaint-heavy corpus."""
    from nlp.doctype import classify_by_cues

    return [t for t in [*pools.requests, *pools.review_sentences] if classify_by_cues(t) == "complaint"]


# stars by what the text plainly says, picked by a uniform draw of 0-4
_STARS = {"complaint": (1, 1, 2, 2, 3), "praise": (4, 4, 5, 5, 5)}
_OTHER_STARS = (3, 4, 4, 5, 5)


def _rating(draw: int, body: str) -> int:
    """Stars that agree with what the review plainly says, as customers give them: a review with a complaint
    cue 1-3, one with praise 4-5, the rest 3-5. (Uniform stars made the shop's own typer, pipeline/typing.py,
    learn noise: it typed 24,542 of the 100k bench messages complaints, the shipped typer 12,068.) `draw`
    is the one random draw the uniform stars took, so texts and times stay those of earlier layouts."""
    from nlp.doctype import classify_by_cues

    return _STARS.get(classify_by_cues(body), _OTHER_STARS)[draw]


def _timestamp(rng: random.Random, start: date, weeks: int) -> datetime:
    while True:
        day = start + timedelta(days=rng.randrange(7 * weeks))
        if day.weekday() < 5 or rng.random() < 0.6:  # fewer tickets at weekends
            return datetime.combine(day, datetime.min.time()) + timedelta(seconds=rng.randrange(8 * 3600, 23 * 3600))


def documents(
    n: int, start: date, weeks: int, seed: int, pools: Pools, prefix: str = "b", complaint_share: float | None = None
) -> Iterator[dict]:
    """`n` seeded documents, one at a time: a million of them never sit in memory together. Recombined
    freely, ~8% of them are typed complaints; `complaint_share` makes that share of them from complaint
    pieces only (a shop whose inbox is mostly complaints)."""
    rng = random.Random(seed)
    complaints = complaint_pieces(pools) if complaint_share else []
    for i in range(n):
        review = rng.random() < 0.2
        pool = pools.review_sentences if review else pools.requests
        if complaints and rng.random() < complaint_share:
            pool = complaints
        body = "".join(rng.choice(pool) for _ in range(rng.choice((1, 1, 2, 2, 3))))
        if not review and rng.random() < 0.05:
            body += rng.choice(_PII).format(n=rng.randrange(10**6), a=rng.randrange(10**4), b=rng.randrange(10**4))
        yield {
            "id": f"{prefix}{seed}-{i}",
            "created_at": _timestamp(rng, start, weeks).isoformat(sep=" "),
            "kind": "review" if review else "ticket",
            "rating": _rating(rng.randrange(5), body) if review else "",
            "product": rng.choice(PRODUCTS),
            "body": body,
        }


def write_exports(docs: Iterable[dict], folder: Path) -> dict[str, Path]:
    """One CSV per kind, as a shop exports them, written in one pass: {"ticket": path, "review": path}."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / f"{kind}s.csv" for kind in ("ticket", "review")}
    files = {kind: path.open("w", encoding="utf-8", newline="") for kind, path in paths.items()}
    try:
        writers = {kind: csv.DictWriter(f, fieldnames=list(BENCH_COLUMNS)) for kind, f in files.items()}
        for writer in writers.values():
            writer.writeheader()
        for doc in docs:
            writers[doc["kind"]].writerow(doc)
    finally:
        for f in files.values():
            f.close()
    return paths
