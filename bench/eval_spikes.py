"""`koe eval spikes`: false positives, FDR and power of the production spike detector on simulated timelines.

Topics and their relative sizes come from the real labelled requests of ../shared/data/asdc-inquiries
(Accommodation Search Dialog Corpus, Megagon Labs / Recruit, CC BY 4.0): each label is a complaint topic
whose daily volume is its share of the corpus. Each replicate draws 70 days of counts with a weekday pattern
and gamma-Poisson overdispersion, plus background documents for the exposure, then lifts a random subset
of topics 1.5x, 2x or 3x from a synthetic release day on and leaves the rest unchanged. The detector is
`nlp.spikes.impact` exactly as the release check runs it (56 days before, 14 after).
This measures the statistics given topic assignments; `koe eval topics` measures the assignments.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from nlp import spikes as S

RELEASE = date(2026, 10, 19)
PRE_DAYS, POST_DAYS = S.ReleaseWindows.pre_days, S.ReleaseWindows.post_days  # as the release check runs
WEEKDAY = (1.10, 1.05, 1.0, 1.0, 0.95, 0.70, 0.60)  # Monday .. Sunday
LIFTS = (1.5, 2.0, 3.0)


def topic_shares(path: Path, n_topics: int) -> pd.Series:
    """The `n_topics` most frequent labels and their share of those labels' documents."""
    labels = Counter(json.loads(line)["topic"] for line in path.open(encoding="utf-8"))
    top = pd.Series(dict(labels.most_common(n_topics)), dtype=float)
    return top / top.sum()


def simulate(
    rng: np.random.Generator, shares: pd.Series, complaints_per_day: float, background_per_day: float, dispersion: float
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """(daily counts per topic, daily totals, lift per topic). A third of the topics stay unchanged."""
    days = [RELEASE - timedelta(days=PRE_DAYS) + timedelta(days=i) for i in range(PRE_DAYS + POST_DAYS)]
    lifts = pd.Series(rng.choice([1.0, 1.0, 1.0, *LIFTS, *LIFTS], size=len(shares)).astype(float), index=shares.index)
    week = np.asarray([WEEKDAY[d.weekday()] for d in days])
    after = np.asarray([d >= RELEASE for d in days])
    counts = {}
    for topic, share in shares.items():
        mean = complaints_per_day * share * week * np.where(after, lifts[topic], 1.0)
        counts[topic] = rng.poisson(rng.gamma(dispersion, mean / dispersion))
    frame = pd.DataFrame(counts, index=days)
    totals = frame.sum(axis=1) + rng.poisson(background_per_day * week)
    return frame, totals, lifts


def evaluate(
    data: Path,
    seed: int = 0,
    replicates: int = 40,
    n_topics: int = 40,
    complaints_per_day: float = 250.0,
    background_per_day: float = 600.0,
    dispersion: float = 5.0,
) -> dict:
    rng = np.random.default_rng(seed)
    shares = topic_shares(data, n_topics)
    base = complaints_per_day * shares
    rows = []
    for _ in range(replicates):
        counts, totals, lifts = simulate(rng, shares, complaints_per_day, background_per_day, dispersion)
        _, result = S.impact(counts, totals, RELEASE, PRE_DAYS, POST_DAYS)
        flagged = dict(zip(result[S.TOPIC_ID], result[S.SIGNIFICANT], strict=True))
        rows += [{"lift": lifts[t], "per_day": base[t], "flagged": bool(flagged.get(t, False))} for t in shares.index]
    runs = pd.DataFrame(rows)
    runs["replicate"] = np.repeat(np.arange(replicates), len(shares))
    null = runs[runs["lift"] == 1.0]
    per_rep = (
        runs[runs["flagged"]].groupby("replicate").apply(lambda g: (g["lift"] == 1.0).mean(), include_groups=False)
    )
    busy = runs[runs["per_day"] >= 5]
    out = {
        "false_positive_rate": round(float(null["flagged"].mean()), 4),
        "fdr": round(float(per_rep.reindex(range(replicates), fill_value=0.0).mean()), 4),
    }
    for lift in LIFTS:
        out[f"power_{lift:g}x"] = round(float(busy.loc[busy["lift"] == lift, "flagged"].mean()), 4)
    out.update(
        {
            "replicates": replicates,
            "topics": len(shares),
            "null_topic_runs": int(len(null)),
            "busy_topics": int((base >= 5).sum()),
            "dispersion": dispersion,
            "seed": seed,
        }
    )
    return out
