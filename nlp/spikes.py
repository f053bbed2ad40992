"""Did complaints about a topic rise after a date? Rate ratios with confidence intervals, p- and q-values.

Per topic, daily complaint counts in a pre window and a post window are modelled as
    log E[count_d] = log(total_d) + weekday_d + beta * post_d
with total document volume as exposure (a busy sale week is not a spike) and weekday effects. Documents of
topics that changed significantly are taken out of the exposure and the test repeated (at most
`EXPOSURE_ROUNDS` times): otherwise a release that triples login complaints raises the total and every
unaffected topic looks like it fell (bench/README.md: 10% false positives, all of them "drops", before). Overdispersion
is handled by a quasi-Poisson GLM (statsmodels, Pearson chi2 scale, never below 1). Topics with too few
complaints for that, or with none on one side, fall back to the exact conditional Poisson test
(statsmodels.stats.rates). Benjamini-Hochberg q-values control the false discovery rate across topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

# result columns
TOPIC_ID, PRE, POST, PRE_RATE, POST_RATE = "topic_id", "pre_count", "post_count", "pre_per_day", "post_per_day"
RATE_RATIO, CI_LOW, CI_HIGH, P_VALUE, Q_VALUE = "rate_ratio", "ci_low", "ci_high", "p_value", "q_value"
IS_NEW, METHOD, SIGNIFICANT = "is_new", "method", "significant"
LEVEL = "level"  # in joint(): which level of the taxonomy a test is about (THEME or TOPIC)
THEME, TOPIC = "theme", "topic"
RESULT_COLUMNS = (
    TOPIC_ID,
    PRE,
    POST,
    PRE_RATE,
    POST_RATE,
    RATE_RATIO,
    CI_LOW,
    CI_HIGH,
    P_VALUE,
    Q_VALUE,
    IS_NEW,
    METHOD,
    SIGNIFICANT,
)

MIN_GLM_COUNT = 20  # below this many complaints in both windows together, use the exact test
MIN_PRE_DAYS = 14
BASELINE_WEEKS = 8  # a week's count is tested against the topic's own previous weeks


@dataclass(frozen=True)
class ReleaseWindows:
    """A release check compares `pre_days` before the release with `post_days` after it; a weekly spike is
    attributed to releases that started up to `lag_days` before its week. The product's defaults, here once."""

    pre_days: int = 56
    post_days: int = 14
    lag_days: int = 14


EXPOSURE_ROUNDS = 3


class SpikeInputError(ValueError):
    """The question cannot be answered from the data (a date in the future, too little history ...)."""


@dataclass(frozen=True)
class Windows:
    release_day: date
    pre_start: date
    post_end: date  # exclusive
    pre_days: int  # days with any documents
    post_days: int
    shortened: bool  # the post window ran past the last data


def daily_counts(days: pd.Series, topics: pd.Series, all_days: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """(day x topic complaint counts, documents per day) from per-document days and topic ids.
    `all_days` holds the day of every document (the exposure); days with none are absent, not zero."""
    counts = pd.crosstab(pd.Series(days.to_numpy(), name="day"), pd.Series(topics.to_numpy(), name="topic"))
    totals = pd.Series(all_days.to_numpy()).value_counts().sort_index()
    return counts.reindex(totals.index, fill_value=0), totals


def windows(
    totals: pd.Series, release_day: date, pre_days: int, post_days: int, min_pre_days: int = MIN_PRE_DAYS
) -> Windows:
    """The pre/post windows actually covered by data, or a SpikeInputError saying why there are none."""
    if totals.empty:
        raise SpikeInputError("no documents at all in the store for this period")
    first, last = min(totals.index), max(totals.index)
    if release_day > last:
        raise SpikeInputError(f"{release_day} is after the last data ({last}): nothing to compare yet")
    pre_start = release_day - timedelta(days=pre_days)
    post_end = release_day + timedelta(days=post_days)
    covered = [d for d in totals.index if totals[d] > 0]
    n_pre = sum(pre_start <= d < release_day for d in covered)
    n_post = sum(release_day <= d < post_end for d in covered)
    if n_pre < min_pre_days:
        raise SpikeInputError(
            f"too little history before {release_day}: {n_pre} days with documents since "
            f"{max(pre_start, first)}, need at least {min_pre_days}"
        )
    return Windows(release_day, pre_start, post_end, n_pre, n_post, shortened=post_end > last + timedelta(days=1))


def _design(days: list[date], release_day: date) -> pd.DataFrame:
    weekday = pd.get_dummies(
        pd.Categorical([d.weekday() for d in days], categories=range(7)), prefix="wd", drop_first=True, dtype=float
    )
    weekday.insert(0, "const", 1.0)
    weekday["post"] = [1.0 if d >= release_day else 0.0 for d in days]
    return weekday


def _quasi_poisson(y: np.ndarray, design: pd.DataFrame, exposure: np.ndarray) -> tuple[float, float, float, float]:
    import statsmodels.api as sm

    model = sm.GLM(y, design, family=sm.families.Poisson(), offset=np.log(exposure))
    first = model.fit()
    scale = max(1.0, first.pearson_chi2 / max(first.df_resid, 1))  # overdispersion only widens
    fit = model.fit(scale=scale)
    beta, se = float(fit.params["post"]), float(fit.bse["post"])
    return (
        float(np.exp(beta)),
        float(np.exp(beta - 1.96 * se)),
        float(np.exp(beta + 1.96 * se)),
        float(fit.pvalues["post"]),
    )


def _exact(post: int, post_exposure: float, pre: int, pre_exposure: float) -> tuple[float, float, float, float]:
    from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

    with np.errstate(divide="ignore"):  # a zero pre count is a legitimate question: it gets an exact p-value
        p = float(test_poisson_2indep(post, post_exposure, pre, pre_exposure, method="exact-cond").pvalue)
    ratio = (post / post_exposure) / (pre / pre_exposure) if pre else float("inf")
    if pre == 0 or post == 0:  # score intervals need counts on both sides; report the open side honestly
        low, high = (0.0, float("inf"))
    else:
        low, high = confint_poisson_2indep(post, post_exposure, pre, pre_exposure, method="score")
    return float(ratio), float(low), float(high), p


def _is_new(pre: int, post: int, pre_days: int, post_days: int) -> bool:
    """Barely present before: at most 2 complaints and under a tenth of the post-release daily rate."""
    return post >= 3 and pre <= 2 and (pre / max(pre_days, 1)) < 0.1 * (post / max(post_days, 1))


def _test_topics(
    counts: pd.DataFrame, exposure: np.ndarray, days: list[date], design: pd.DataFrame, win: Windows
) -> pd.DataFrame:
    post_mask = design["post"].to_numpy() == 1.0
    rows = []
    for topic in counts.columns:
        y = counts.loc[days, topic].to_numpy(dtype=float)
        pre, post = int(y[~post_mask].sum()), int(y[post_mask].sum())
        if pre + post == 0:
            continue
        if pre + post >= MIN_GLM_COUNT and pre > 0 and post > 0:
            stats, method = _quasi_poisson(y, design, exposure), "quasi-poisson"
        else:
            stats, method = _exact(post, exposure[post_mask].sum(), pre, exposure[~post_mask].sum()), "exact"
        rows.append(
            {
                TOPIC_ID: topic,
                PRE: pre,
                POST: post,
                PRE_RATE: pre / win.pre_days,
                POST_RATE: post / max(win.post_days, 1),
                RATE_RATIO: stats[0],
                CI_LOW: stats[1],
                CI_HIGH: stats[2],
                P_VALUE: stats[3],
                IS_NEW: _is_new(pre, post, win.pre_days, win.post_days),
                METHOD: method,
            }
        )
    return pd.DataFrame(rows, columns=[c for c in RESULT_COLUMNS if c not in (Q_VALUE, SIGNIFICANT)])


def impact(
    counts: pd.DataFrame,
    totals: pd.Series,
    release_day: date,
    pre_days: int = ReleaseWindows.pre_days,
    post_days: int = ReleaseWindows.post_days,
    alpha: float = 0.05,
    min_pre_days: int = MIN_PRE_DAYS,
) -> tuple[Windows, pd.DataFrame]:
    """Per topic (columns of `counts`): counts, rate ratio post/pre with 95% CI, p, BH q, new, significant."""
    from statsmodels.stats.multitest import multipletests

    win = windows(totals, release_day, pre_days, post_days, min_pre_days)
    days = [d for d in totals.index if win.pre_start <= d < win.post_end and totals[d] > 0]
    window_totals = totals.loc[days].to_numpy(dtype=float)
    design = _design(days, release_day)
    changed: set = set()
    for _ in range(EXPOSURE_ROUNDS):
        removed = counts.loc[days, sorted(changed, key=str)].sum(axis=1).to_numpy(dtype=float)
        exposure = np.maximum(window_totals - removed, 1.0)
        result = _test_topics(counts, exposure, days, design, win)
        result[Q_VALUE] = multipletests(result[P_VALUE], method="fdr_bh")[1] if len(result) else []
        result[SIGNIFICANT] = result[Q_VALUE] < alpha
        now_changed = set(result.loc[result[SIGNIFICANT], TOPIC_ID])
        if now_changed == changed:
            break
        changed = now_changed
    return win, result.sort_values([SIGNIFICANT, RATE_RATIO], ascending=False, ignore_index=True)


def weekly_spikes(
    counts: pd.DataFrame, totals: pd.Series, week_start: date, baseline_weeks: int = BASELINE_WEEKS, alpha: float = 0.05
) -> tuple[Windows, pd.DataFrame]:
    """This week against each topic's own previous `baseline_weeks`: the same test with the week as 'post';
    a spike is a significant rise."""
    win, result = impact(counts, totals, week_start, pre_days=7 * baseline_weeks, post_days=7, alpha=alpha)
    result[SIGNIFICANT] = result[SIGNIFICANT] & (result[RATE_RATIO] > 1)
    return win, result


def joint(results: dict[str, pd.DataFrame], alpha: float = 0.05, rises_only: bool = False) -> pd.DataFrame:
    """The tests of several levels (themes and their subtopics, each run with its own exposure rounds) as
    one frame with a LEVEL column and Benjamini-Hochberg q-values over all of them: one family of tests,
    one correction (issue #13). `rises_only`: only rises are significant (the weekly spikes)."""
    from statsmodels.stats.multitest import multipletests

    frames = [r.assign(**{LEVEL: level}) for level, r in results.items() if len(r)]
    if not frames:
        return pd.DataFrame(columns=[*RESULT_COLUMNS, LEVEL])
    frame = pd.concat(frames, ignore_index=True)
    frame[Q_VALUE] = multipletests(frame[P_VALUE], method="fdr_bh")[1]
    frame[SIGNIFICANT] = (frame[Q_VALUE] < alpha) & ((frame[RATE_RATIO] > 1) if rises_only else True)
    return frame.sort_values([SIGNIFICANT, RATE_RATIO], ascending=False, ignore_index=True)


def attribute(spike_week: date, releases: pd.DataFrame, lag_days: int = ReleaseWindows.lag_days) -> list[str]:
    """Names of releases (columns name, start) that started from `lag_days` before the week to its end."""
    if releases.empty:
        return []
    starts = pd.to_datetime(releases["start"], format="mixed").dt.date
    lo, hi = spike_week - timedelta(days=lag_days), spike_week + timedelta(days=6)
    return releases.loc[(starts >= lo) & (starts <= hi), "name"].tolist()


def format_q(q: float) -> str:
    """「q<0.001」 below a thousandth, else 「q=0.014」."""
    return "q<0.001" if q < 0.001 else f"q={q:.3f}"


def format_ratio(row: pd.Series) -> str:
    """「2.8倍（95%CI 2.1–3.7, q<0.001）」"""
    q_text = format_q(row[Q_VALUE])
    if not np.isfinite(row[RATE_RATIO]):
        return f"新規発生（前 {row[PRE]}件 → 後 {row[POST]}件, {q_text}）"
    high = "∞" if not np.isfinite(row[CI_HIGH]) else f"{row[CI_HIGH]:.1f}"
    return f"{row[RATE_RATIO]:.1f}倍（95%CI {row[CI_LOW]:.1f}–{high}, {q_text}）"
