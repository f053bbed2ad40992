"""The spike detector on small series with planted effects (seeded negative-binomial noise)."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from nlp import spikes as S

RELEASE = date(2026, 10, 19)
DAYS = [RELEASE - timedelta(days=56) + timedelta(days=i) for i in range(70)]


def series(rng, rate, lift=1.0, weekday=True, dispersion=10.0):
    """Daily counts: rate * weekday pattern * lift after the release, gamma-Poisson overdispersed."""
    out = []
    for d in DAYS:
        mean = rate * (0.6 if weekday and d.weekday() >= 5 else 1.0) * (lift if d >= RELEASE else 1.0)
        out.append(rng.poisson(rng.gamma(dispersion, mean / dispersion)) if mean > 0 else 0)
    return out


@pytest.fixture
def planted():
    rng = np.random.default_rng(0)
    totals = pd.Series([int(200 * (0.6 if d.weekday() >= 5 else 1.0)) for d in DAYS], index=DAYS)
    counts = pd.DataFrame(
        {
            "login": series(rng, 6, lift=3.0),
            "delivery": series(rng, 8),
            "size": series(rng, 4),
            "points": [0] * 56 + list(rng.poisson(5, 14)),
            "campaign_code": list(rng.poisson(3, 56)) + [0] * 14,
        },
        index=DAYS,
    )
    return counts, totals


def test_planted_rise_is_significant_and_no_change_is_not(planted):
    win, result = S.impact(*planted, RELEASE)
    r = result.set_index(S.TOPIC_ID)
    assert (win.pre_days, win.post_days) == (56, 14)
    assert r.loc["login", S.SIGNIFICANT] and r.loc["login", S.METHOD] == "quasi-poisson"
    assert 2.0 < r.loc["login", S.RATE_RATIO] < 4.5
    assert r.loc["login", S.CI_LOW] < r.loc["login", S.RATE_RATIO] < r.loc["login", S.CI_HIGH]
    assert not r.loc["delivery", S.SIGNIFICANT] and not r.loc["size", S.SIGNIFICANT]
    assert result[S.TOPIC_ID].iloc[0] in {"login", "points"}  # significant first


def test_new_and_vanished_topics(planted):
    r = S.impact(*planted, RELEASE)[1].set_index(S.TOPIC_ID)
    assert r.loc["points", S.IS_NEW] and r.loc["points", S.SIGNIFICANT] and r.loc["points", S.METHOD] == "exact"
    assert r.loc["points", S.RATE_RATIO] == float("inf")
    assert r.loc["campaign_code", S.RATE_RATIO] == 0.0 and r.loc["campaign_code", S.SIGNIFICANT]
    assert not r.loc["campaign_code", S.IS_NEW]


def test_exposure_absorbs_a_busy_period():
    """Twice the traffic after the release and twice the complaints: a rate ratio of about 1, not a spike."""
    rng = np.random.default_rng(1)
    totals = pd.Series([200 if d < RELEASE else 400 for d in DAYS], index=DAYS)
    counts = pd.DataFrame({"t": [rng.poisson(0.03 * totals[d]) for d in DAYS]}, index=DAYS)
    r = S.impact(counts, totals, RELEASE)[1].iloc[0]
    assert not r[S.SIGNIFICANT] and 0.6 < r[S.RATE_RATIO] < 1.6


def test_overdispersion_widens_the_interval():
    rng = np.random.default_rng(2)
    totals = pd.Series(200, index=DAYS)
    calm = pd.DataFrame({"t": rng.poisson(8, len(DAYS))}, index=DAYS)
    wild = pd.DataFrame({"t": [rng.poisson(rng.gamma(1.0, 8.0)) for _ in DAYS]}, index=DAYS)
    width = {
        name: np.log(r[S.CI_HIGH] / r[S.CI_LOW])
        for name, c in (("calm", calm), ("wild", wild))
        for r in [S.impact(c, totals, RELEASE)[1].iloc[0]]
    }
    assert width["wild"] > 1.5 * width["calm"]


def test_q_values_are_benjamini_hochberg(planted):
    from statsmodels.stats.multitest import multipletests

    result = S.impact(*planted, RELEASE)[1]
    assert np.allclose(result[S.Q_VALUE], multipletests(result[S.P_VALUE], method="fdr_bh")[1])


def test_zero_count_days_and_missing_days_are_fine(planted):
    counts, totals = planted
    sparse = totals.drop(index=[DAYS[3], DAYS[10]])  # days without any document at all
    win, result = S.impact(counts.loc[sparse.index], sparse, RELEASE)
    assert win.pre_days == 54 and len(result) == 5


@pytest.mark.parametrize(
    ("release", "message"),
    [(date(2027, 1, 1), "is after the last data"), (DAYS[0] + timedelta(days=10), "too little history")],
)
def test_questions_the_data_cannot_answer(planted, release, message):
    with pytest.raises(S.SpikeInputError, match=message):
        S.impact(*planted, release)


def test_short_post_window_is_flagged(planted):
    counts, totals = planted
    win, _ = S.impact(counts, totals, DAYS[-5])
    assert win.shortened and win.post_days == 5


def test_weekly_spikes_and_attribution(planted):
    counts, totals = planted
    win, result = S.weekly_spikes(counts, totals, RELEASE + timedelta(days=7))
    flagged = set(result.loc[result[S.SIGNIFICANT], S.TOPIC_ID])
    assert "login" in flagged and "delivery" not in flagged and "campaign_code" not in flagged  # drops are not spikes
    releases = pd.DataFrame({"name": ["リニューアル", "秋のセール"], "start": ["2026-10-19 10:00", "2026-09-14"]})
    assert S.attribute(RELEASE + timedelta(days=7), releases) == ["リニューアル"]
    assert S.attribute(RELEASE + timedelta(days=28), releases) == []


def test_plain_language_ratio():
    row = pd.Series({S.RATE_RATIO: 2.83, S.CI_LOW: 2.1, S.CI_HIGH: 3.7, S.Q_VALUE: 0.0004, S.PRE: 10, S.POST: 20})
    assert S.format_ratio(row) == "2.8倍（95%CI 2.1–3.7, q<0.001）"


def test_joint_correction_spans_both_levels():
    """Themes and subtopics are one family of tests: a p-value that passes alone at one level is corrected
    for the tests of the other level too (Benjamini-Hochberg over all of them)."""
    from nlp import spikes as S

    def tested(p_values, ratios):
        n = len(p_values)
        return pd.DataFrame(
            {S.TOPIC_ID: range(n), S.P_VALUE: p_values, S.RATE_RATIO: ratios, S.PRE: 1, S.POST: 1}
        ).assign(**{c: 0.0 for c in (S.PRE_RATE, S.POST_RATE, S.CI_LOW, S.CI_HIGH)})

    themes = tested([0.02], [2.0])
    subtopics = tested([0.001, 0.5, 0.6, 0.7, 0.04], [3.0, 1.0, 1.0, 0.9, 0.5])
    joint = S.joint({S.THEME: themes, S.TOPIC: subtopics}, rises_only=True)
    assert len(joint) == 6 and set(joint[S.LEVEL]) == {S.THEME, S.TOPIC}
    significant = joint[joint[S.SIGNIFICANT]]
    assert list(zip(significant[S.LEVEL], significant[S.TOPIC_ID], strict=True)) == [(S.TOPIC, 0)]
    theme = joint[joint[S.LEVEL] == S.THEME].iloc[0]
    assert theme[S.Q_VALUE] == pytest.approx(0.02 * 6 / 2)  # rank 2 of 6: would be 0.02 tested alone
    assert S.joint({S.THEME: themes.iloc[:0]}).empty
