"""FAQ-gap suggestions built from the questions the FAQ does not answer, decided group by group.

A topic is too coarse to be a suggestion (measured on real inquiries, issue #16: 29 topics for 694
messages about 282 different entries, so a whole topic was almost never "one missing entry"). Here the
asking messages (questions and requests) no entry answers on its own are grouped, within each subtopic,
by meaning into intents (average linkage on their embeddings, `GapConfig.group_distance`); each intent is
then judged as a whole by the mean match of its messages against each FAQ entry. A group the FAQ answers
together is no suggestion; a group it does not is one, built from its own messages only: its proposed
question is its most central clean question, its quotes are its members, its volume is its asks. Same
intents found in two subtopics are merged. Complaints are not grouped (an FAQ cannot answer
「割れていました」): they are the subtopic's complaint share, context for the rank.

Rank = asks this period x (1 + bounded growth) x (1 + complaint share of the subtopic) x (1 - the group's
coverage): more asks first, rising and annoying intents first, and of two equal groups the one farther
from any entry (a near match is more often an answered question phrased otherwise).
Growth is bounded, (now - before) / max(now, before), in [-1, 1]: with a handful of questions a week,
1 -> 5 is noise, not a 400% rise.

Kind: where agents' replies restate or link one FAQ entry for most of a group's messages, the answer
exists and customers did not find it (REWORD that entry, named); otherwise the FAQ lacks it (NEW).
Every step is deterministic: the same messages give the same groups, ranks and counts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from nlp import columns as C
from nlp.vector_text import PLACEHOLDER, distinct_quotes, embedded_texts, products_of, without_details

SUGGESTION_COLUMNS = ("topic_id", "label", "kind", "proposed_question", "category", "volume", "previous",
                      "growth", "complaint_share", "coverage", "score", "examples", "nearest_faq", "nearest_score",
                      "draft_answer", "members")  # fmt: skip
(TOPIC_ID, LABEL, KIND, PROPOSED_QUESTION, CATEGORY, VOLUME, PREVIOUS, GROWTH, COMPLAINT_SHARE, COVERAGE, SCORE,
 EXAMPLES, NEAREST_FAQ, NEAREST_SCORE, DRAFT_ANSWER, MEMBERS) = SUGGESTION_COLUMNS  # fmt: skip

_QUESTION_FORM = re.compile(r"(?:[?？]|ですか|ますか|でしょうか|ませんか|か)[。.]?$")
UNCATEGORIZED = "未分類"
ASKING_TYPES = (C.DocType.QUESTION, C.DocType.REQUEST)


class Kind(StrEnum):
    NEW = "new"  # no entry answers it: write one
    REWORD = "reword"  # agents answer it with an existing entry: customers do not find that entry


@dataclass(frozen=True)
class GapConfig:
    """Defaults measured by `koe eval faq-gaps` (bench/README.md, "FAQ gaps", session 9)."""

    group_distance: float = 0.5  # cosine distance (average linkage) within which asks are one intent
    merge_distance: float = 0.25  # intents of two subtopics whose centroids are this close are one
    covered_threshold: float = 0.5  # a group whose coverage is at or above this is answered
    strong_match: float = 0.45  # the nearest entry's category is shown from this coverage up, else 未分類
    min_asks: int = 2  # a suggestion needs this many asks in the window (one message is an anecdote)
    max_cluster: int = 3000  # average linkage is O(n^2) in memory: larger subtopics are cut first


@dataclass(frozen=True)
class Messages:
    """The modelled messages and, aligned with them, their subtopic, embedding and period membership.
    `reply_entry` is the FAQ entry an agent's reply restates or links (-1: none, or no reply)."""

    docs: pd.DataFrame  # columns.DOC_COLUMNS: questions, requests, complaints ...
    topic: np.ndarray
    embeddings: np.ndarray  # (n, dim), L2-normalised
    in_period: np.ndarray  # bool: counted as this period's
    in_previous: np.ndarray  # bool: the period before, the growth baseline
    reply_entry: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.docs)
        arrays = (self.topic, self.embeddings, self.in_period, self.in_previous)
        if any(len(a) != n for a in arrays) or (self.reply_entry is not None and len(self.reply_entry) != n):
            raise ValueError(f"Messages: every array must have one value per message ({n})")


@dataclass(frozen=True)
class Group:
    """One intent: the indices of its asking messages and how the FAQ answers them as a whole."""

    topic: int
    members: np.ndarray
    coverage: float  # mean score of the members against `nearest`
    nearest: int  # the entry that answers the members best together (-1: no FAQ)


def _order_key(texts: Sequence[str]) -> list[int]:
    """Indices sorted by text: grouping and ties never depend on the order rows came from the store."""
    return sorted(range(len(texts)), key=lambda i: (texts[i], i))


def cluster(embeddings: np.ndarray, distance: float, max_cluster: int = 3000) -> np.ndarray:
    """Labels of average-linkage clusters cut at cosine `distance` (deterministic). Over `max_cluster`
    vectors, k-means cuts the set into parts first (seeded), each clustered on its own."""
    n = len(embeddings)
    if n <= 1:
        return np.zeros(n, dtype=int)
    if n > max_cluster:
        from sklearn.cluster import KMeans

        parts = KMeans(n_clusters=-(-n // max_cluster) * 2, n_init=1, random_state=0).fit_predict(embeddings)
        if np.bincount(parts).max() == n:  # one part (copies of one vector): cut by position, or recurse forever
            parts = np.arange(n) // max_cluster
        labels = np.empty(n, dtype=int)
        offset = 0
        for part in np.unique(parts):
            idx = np.flatnonzero(parts == part)
            sub = cluster(embeddings[idx], distance, max_cluster)
            labels[idx] = sub + offset
            offset += int(sub.max()) + 1
        return labels
    from scipy.cluster.hierarchy import fcluster, linkage

    vectors = np.asarray(embeddings, dtype=np.float64)
    tree = linkage(vectors, method="average", metric="cosine")
    return fcluster(tree, t=distance, criterion="distance") - 1


def judge(topic: int, members: np.ndarray, scores: np.ndarray) -> Group:
    """How the FAQ answers `members` together: the entry with the best mean score. (The share of members
    whose own best entry it is, and the margin to the runner-up, were measured and do not separate
    answered from unanswered groups: bench/README.md, "FAQ gaps", session 9.)"""
    if scores.shape[1] == 0:
        return Group(topic, members, 0.0, -1)
    mean = scores[members].mean(axis=0)
    nearest = int(np.argmax(mean))
    return Group(topic, members, float(mean[nearest]), nearest)


def intent_groups(
    messages: Messages, scores: np.ndarray, covered: np.ndarray, config: GapConfig = GapConfig()
) -> list[Group]:
    """The asking messages of every subtopic that no entry answers on its own (`covered`: per message),
    grouped into intents and judged against the FAQ as a whole."""
    types = messages.docs[C.DOC_TYPE].to_numpy()
    asking = np.isin(types, ASKING_TYPES) & (messages.in_period | messages.in_previous) & ~covered
    texts = messages.docs[C.TEXT].astype(str).to_numpy()
    groups = []
    for topic in np.unique(messages.topic[asking]):
        idx = np.flatnonzero(asking & (messages.topic == topic))
        idx = idx[_order_key(list(texts[idx]))]
        labels = cluster(messages.embeddings[idx], config.group_distance, config.max_cluster)
        for label in np.unique(labels):
            groups.append(judge(int(topic), idx[labels == label], scores))
    return groups


def merge_same_intents(groups: list[Group], messages: Messages, scores: np.ndarray, config: GapConfig) -> list[Group]:
    """Gap groups of different subtopics that are one intent (centroids within `merge_distance`) become one
    suggestion, under the subtopic holding most of it: two suggestions for one 同梱 request were a defect.
    Centroids of groups are tighter than their members, hence a cut of its own."""
    if len(groups) <= 1:
        return groups
    centroids = np.vstack([messages.embeddings[g.members].mean(axis=0) for g in groups])
    labels = cluster(centroids, config.merge_distance, config.max_cluster)
    merged = []
    for label in np.unique(labels):
        parts = [g for g, lab in zip(groups, labels, strict=True) if lab == label]
        if len(parts) == 1:
            merged.append(parts[0])
            continue
        members = np.sort(np.concatenate([g.members for g in parts]))
        main = max(parts, key=lambda g: (len(g.members), -g.topic))
        merged.append(judge(main.topic, members, scores))
    return merged


def reads_as_question(text: str) -> bool:
    """Ends as a Japanese question does (？, ですか, ますか, でしょうか, ませんか, か)."""
    return bool(_QUESTION_FORM.search(text))


def proposed_question(texts: Sequence[str], closeness: np.ndarray, lengths: tuple[int, int] = (8, 80)) -> str:
    """The group's most central message that reads as a complete question and holds no redacted data; else
    its most central clean message; a placeholder is never shown: as a last resort the sentences that hold
    one are left out (「配送先を変更してください。カード番号 <CARD> で支払いました。」 -> its first sentence)."""
    lo, hi = lengths
    order = sorted(range(len(texts)), key=lambda i: (-closeness[i], texts[i]))
    clean = [texts[i].strip() for i in order if not PLACEHOLDER.search(texts[i])]
    for text in clean:
        if lo <= len(text) <= hi and reads_as_question(text):
            return text
    if clean:
        return clean[0]
    for i in order:
        kept = without_details(texts[i])
        if not PLACEHOLDER.search(kept):
            return kept.strip()
    return PLACEHOLDER.sub("", texts[order[0]]).strip()


def generic(texts: Sequence[str], products: Sequence[object]) -> list[str]:
    """The group's texts as an FAQ question would word them: when its messages name more than one product,
    each product as 商品 (the demo proposed 「ウールソックスを追加で1つ同梱していただきたいです」 for a request
    made about nine products); a group about one product keeps its name (「羽毛布団の洗い方は?」)."""
    named = {p for p in products if isinstance(p, str) and p}
    return embedded_texts(texts, products) if len(named) > 1 else list(texts)


def _category(value: object) -> str:
    """An entry's category, or 未分類 when it has none (an empty CSV cell arrives as NaN, not None)."""
    return value.strip() if isinstance(value, str) and value.strip() else UNCATEGORIZED


def _draft_answer(replies: pd.Series) -> str | None:
    """The agents' most common reply to the group (already redacted at ingest); ties by text."""
    replies = replies.dropna().map(str.strip)
    replies = replies[replies != ""]
    if replies.empty:
        return None
    counts = Counter(replies)
    return min(counts, key=lambda r: (-counts[r], r))


def _reworded_entry(group: Group, reply_entry: np.ndarray | None) -> int:
    """The entry agents' replies restate for most of the group's replied messages, else -1."""
    if reply_entry is None:
        return -1
    replied = reply_entry[group.members]
    replied = replied[replied >= 0]
    if not len(replied):
        return -1
    entry, n = Counter(replied.tolist()).most_common(1)[0]
    return int(entry) if n * 2 > len(replied) else -1


def suggest(
    messages: Messages,
    topics: pd.DataFrame,
    scores: np.ndarray,
    covered: np.ndarray,
    faq: pd.DataFrame,
    config: GapConfig = GapConfig(),
    n_examples: int = 5,
) -> pd.DataFrame:
    """Ranked suggestions, one per unanswered intent with asks in the window. `scores` (n_messages,
    n_entries) and `covered` (per message) from nlp.faq_match; `faq` has question, answer and category
    columns in their order."""
    groups = intent_groups(messages, scores, covered, config)
    groups = [g for g in groups if g.coverage < config.covered_threshold]
    groups = [g for g in merge_same_intents(groups, messages, scores, config) if len(g.members) >= config.min_asks]
    labels = topics.set_index(C.TOPIC_ID)[C.LABEL]
    docs = messages.docs
    texts = docs[C.TEXT].astype(str).to_numpy()
    products = np.asarray(products_of(docs), dtype=object)
    complaint = (docs[C.DOC_TYPE] == C.DocType.COMPLAINT).to_numpy()
    rows = []
    for g in groups:
        now = int(messages.in_period[g.members].sum())
        if not now:
            continue
        previous = int(messages.in_previous[g.members].sum())
        growth = (now - previous) / max(now, previous)
        in_topic = (messages.topic == g.topic) & messages.in_period
        complaint_share = float(complaint[in_topic].mean()) if in_topic.any() else 0.0
        reworded = _reworded_entry(g, messages.reply_entry)
        nearest = reworded if reworded >= 0 else g.nearest
        strong = reworded >= 0 or g.coverage >= config.strong_match
        centroid = messages.embeddings[g.members].mean(axis=0)
        closeness = messages.embeddings[g.members] @ centroid
        order = g.members[np.lexsort((texts[g.members], -closeness))]
        rows.append(
            {
                TOPIC_ID: g.topic,
                LABEL: labels.get(g.topic, ""),
                KIND: Kind.REWORD if reworded >= 0 else Kind.NEW,
                PROPOSED_QUESTION: proposed_question(generic(texts[g.members], products[g.members]), closeness),
                CATEGORY: _category(faq["category"].iloc[nearest]) if strong and nearest >= 0 else UNCATEGORIZED,
                VOLUME: now,
                PREVIOUS: previous,
                GROWTH: growth,
                COMPLAINT_SHARE: complaint_share,
                COVERAGE: g.coverage,
                SCORE: now * (1 + growth) * (1 + complaint_share) * (1 - g.coverage),
                EXAMPLES: distinct_quotes(texts[order], products[order], n_examples),
                NEAREST_FAQ: faq["question"].iloc[nearest] if nearest >= 0 else None,
                NEAREST_SCORE: float(scores[g.members, nearest].mean()) if nearest >= 0 else 0.0,
                DRAFT_ANSWER: _draft_answer(docs[C.AGENT_REPLY].iloc[g.members]),
                MEMBERS: g.members.tolist(),
            }
        )
    out = pd.DataFrame(rows, columns=list(SUGGESTION_COLUMNS))
    out = out.sort_values([SCORE, PROPOSED_QUESTION], ascending=[False, True], ignore_index=True)
    out[DRAFT_ANSWER] = out[DRAFT_ANSWER].astype(object).where(out[DRAFT_ANSWER].notna(), None)  # not NaN
    return out


def message_columns(texts: Sequence[str]) -> pd.DataFrame:
    """A minimal docs frame for callers that have only texts (evaluations): every field but text empty."""
    n = len(texts)
    return pd.DataFrame({**{c: [None] * n for c in C.DOC_COLUMNS}, C.TEXT: list(texts), C.DOC_TYPE: ["question"] * n})
