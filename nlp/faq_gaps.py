"""FAQ-gap suggestions: topics whose messages the FAQ does not answer, ranked for a CS lead.

Rank = uncovered questions and requests this period x the share of the topic not covered x (1 + growth) x
(1 + complaint share) x (1 - the topic's mean score against its nearest entry): the inquiries an FAQ entry
could absorb, themes the FAQ misses as a whole before the unmatched tail of a theme it answers, rising
themes first, themes that also annoy customers before idle curiosity, and missing answers before near
misses (a topic just under the threshold more likely needs its entry reworded; the nearest entry is shown
for that). The share matters because message-level matching is noisy: a big answered theme always leaves
some messages under the threshold, and by count alone they outranked smaller themes no entry answers
(measured in bench/README.md, "FAQ gaps", session 4).
Only asking messages count towards the volume: an FAQ cannot answer 「届いた商品が割れていました」 (the
weekly complaint report covers it), and on the demo data counting every complaint put eighteen defect and
delay topics above the two questions the FAQ really lacks. Growth is bounded, (now - before) / max(now,
before), in [-1, 1]: with a handful of questions a week, 1 -> 5 is noise, not a 400% rise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp import columns as C
from nlp.faq_match import Coverage

# suggestion columns
SUGGESTION_COLUMNS = ("topic_id", "label", "proposed_question", "category", "volume", "previous", "growth",
                      "uncovered_asks", "uncovered_share", "complaint_share", "score", "examples", "nearest_faq",
                      "nearest_score", "draft_answer", "members")  # fmt: skip
(TOPIC_ID, LABEL, PROPOSED_QUESTION, CATEGORY, VOLUME, PREVIOUS, GROWTH, UNCOVERED_ASKS, UNCOVERED_SHARE,
 COMPLAINT_SHARE, SCORE, EXAMPLES, NEAREST_FAQ, NEAREST_SCORE, DRAFT_ANSWER, MEMBERS) = SUGGESTION_COLUMNS  # fmt: skip

_QUESTION_FORM = re.compile(r"(?:[?？]|ですか|ますか|でしょうか|ませんか|か。?)$")
_PLACEHOLDER = re.compile(r"<[A-Z]+>")
UNCATEGORIZED = "未分類"
ASKING_TYPES = (C.DocType.QUESTION, C.DocType.REQUEST)


def _proposed_question(texts: pd.Series, centrality: np.ndarray, lengths: tuple[int, int] = (8, 80)) -> str:
    """The most central message of the topic that reads as a complete question and holds no redacted data."""
    lo, hi = lengths
    candidates = [
        (c, t)
        for t, c in zip(texts, centrality, strict=True)
        if lo <= len(t) <= hi and _QUESTION_FORM.search(t.strip()) and not _PLACEHOLDER.search(t)
    ]
    if not candidates:
        candidates = [(c, t) for t, c in zip(texts, centrality, strict=True) if not _PLACEHOLDER.search(t)]
    return max(candidates)[1] if candidates else texts.iloc[0]


def _category(value: object) -> str:
    """An entry's category, or 未分類 when it has none (an empty CSV cell arrives as NaN, not None)."""
    return value.strip() if isinstance(value, str) and value.strip() else UNCATEGORIZED


def _draft_answer(replies: pd.Series) -> str | None:
    """The agents' most common reply to the topic (already redacted at ingest)."""
    replies = replies.dropna().map(str.strip)
    replies = replies[replies != ""]
    return None if replies.empty else str(replies.value_counts().idxmax())


@dataclass(frozen=True)
class Messages:
    """The modelled messages and, aligned with them, their topic, centrality and period membership."""

    docs: pd.DataFrame  # columns.DOC_COLUMNS: questions, requests, complaints ...
    topic: np.ndarray
    centrality: np.ndarray
    in_period: np.ndarray  # bool: counted as this period's
    in_previous: np.ndarray  # bool: the period before, the growth baseline

    def __post_init__(self) -> None:
        n = len(self.docs)
        if any(len(a) != n for a in (self.topic, self.centrality, self.in_period, self.in_previous)):
            raise ValueError(f"Messages: every array must have one value per message ({n})")


@dataclass(frozen=True)
class Matches:
    """How well each FAQ entry answers each message: `scores` (n_messages, n_entries) from
    nlp.faq_match.hybrid_scores and the per-message decision drawn from them."""

    scores: np.ndarray
    coverage: Coverage


def suggest(
    messages: Messages, topics: pd.DataFrame, matches: Matches, faq: pd.DataFrame, n_examples: int = 5
) -> pd.DataFrame:
    """Ranked suggestions, one per topic with uncovered messages in the period. `faq` has question, answer
    and category columns in the order of the score columns."""
    docs, assignments, centrality = messages.docs, messages.topic, messages.centrality
    in_period, in_previous = messages.in_period, messages.in_previous
    scores, cov = matches.scores, matches.coverage
    labels = topics.set_index(C.TOPIC_ID)[C.LABEL]
    types = docs[C.DOC_TYPE].to_numpy()
    rows = []
    for topic in labels.index:
        members = np.flatnonzero((assignments == topic) & in_period)
        uncovered = members[~cov.covered[members]]
        if not len(uncovered):
            continue
        previous = int(((assignments == topic) & in_previous).sum())
        growth = (len(members) - previous) / max(len(members), previous)
        asks = int(np.isin(types[uncovered], ASKING_TYPES).sum())
        complaint_share = float((types[members] == C.DocType.COMPLAINT).mean())
        nearest = int(scores[members].mean(axis=0).argmax()) if scores.shape[1] else -1
        nearest_score = float(scores[members, nearest].mean()) if nearest >= 0 else 0.0
        order = uncovered[np.argsort(-centrality[uncovered])]
        uncovered_share = len(uncovered) / len(members)
        rows.append(
            {
                TOPIC_ID: topic,
                LABEL: labels[topic],
                PROPOSED_QUESTION: _proposed_question(docs[C.TEXT].iloc[uncovered], centrality[uncovered]),
                CATEGORY: _category(faq["category"].iloc[nearest] if nearest >= 0 else None),
                VOLUME: len(members),
                PREVIOUS: previous,
                GROWTH: growth,
                UNCOVERED_ASKS: asks,
                UNCOVERED_SHARE: uncovered_share,
                COMPLAINT_SHARE: complaint_share,
                SCORE: asks * uncovered_share * (1 + growth) * (1 + complaint_share) * (1 - nearest_score),
                EXAMPLES: list(dict.fromkeys(docs[C.TEXT].iloc[order]))[:n_examples],
                NEAREST_FAQ: faq["question"].iloc[nearest] if nearest >= 0 else None,
                NEAREST_SCORE: nearest_score,
                DRAFT_ANSWER: _draft_answer(docs[C.AGENT_REPLY].iloc[members]),
                MEMBERS: members.tolist(),
            }
        )
    out = pd.DataFrame(rows, columns=list(SUGGESTION_COLUMNS)).sort_values(SCORE, ascending=False, ignore_index=True)
    out[DRAFT_ANSWER] = out[DRAFT_ANSWER].astype(object).where(out[DRAFT_ANSWER].notna(), None)  # not NaN
    return out


def message_columns(texts: Sequence[str]) -> pd.DataFrame:
    """A minimal docs frame for callers that have only texts (evaluations): every field but text empty."""
    n = len(texts)
    return pd.DataFrame({**{c: [None] * n for c in C.DOC_COLUMNS}, C.TEXT: list(texts), C.DOC_TYPE: ["question"] * n})
