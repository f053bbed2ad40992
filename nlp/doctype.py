"""Typing a customer message as complaint / question / request / praise / other.

Two halves: a cue lexicon (nlp/data/cues_ja.tsv) with negation handling, so 「壊れていなかった」 is not a
complaint and 「良くなかった」 is one, and a learned model (nlp/typing_model.py) that reads the lexicon's
scores beside character and word n-grams, for the plain evaluative Japanese no lexicon lists
(「駅から少し遠い」). Each sentence is typed; a message is a complaint when one of its sentences is; a rating
decides where the text is unsure (reviews).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from nlp.columns import DocType
from nlp.parallel import map_parts
from nlp.tokenize import plain_negatives

if TYPE_CHECKING:
    from nlp.typing_model import TypingModel

DOC_TYPES = tuple(DocType)
_PRIORITY = {t: i for i, t in enumerate(DOC_TYPES)}  # ties go to the earlier type
# Only kana may stand between a cue and its negation: 「丁寧で壊れていなかった」 must not negate 丁寧.
# kanji 無い/無く negate too: 「悪くは無い」 is not a complaint
# 「カビ臭さは全くありませんでした」: an adverb of degree may stand before the negation
_NEGATION = re.compile(
    r"^[ぁ-ゖ]{0,5}?(?:全く|まったく|一切|特に|あまり|さほど)?[ぁ-ゖ]{0,4}?(?:ない|無い|なかった|無かった|なく|無く|ず|ません)"
)
_RATING_WEIGHT = 3
_STRONG_CUE = 2
_SENTENCE_END = re.compile(r"(?<=[。!！?？\n])")
# The model (nlp/typing_model.py) takes the cue scores as features and learns their weight; a fixed blend
# (model + 0.05 x cues) or a sure-cue override on top of it lowered cross-validated complaint F1 on reviews
# (0.78 -> 0.75, 0.77; 2026-12), so in a review the model's type stands. Tickets differ (below).
# In a ticket a sentence with a sure complaint cue (weight 3: 届かない, 二重決済, 破損, 予定日を過ぎ) is a
# complaint whatever the model says: it learnt from hotel reviews and inquiries that hold no e-commerce
# complaint, and typed 「まだ届かないのですが、どうなっていますか?」 a question.
SURE_CUE = 3
# Tickets are not reviews: the model learnt praise from hotel reviews, where most sentences praise, and
# typed the demo shop's 「商品も届いていません」「同梱していただきたいです」 praise. In a ticket a sentence
# is praise only with a praise cue (ありがとう, 助かりました, 満足 ...); without one the cues decide, else
# it is other. Held-out asdc inquiries: accuracy 0.885 -> 0.89 (9 sentences leave praise); the model's next
# type instead: 0.90, but 「特に不満もありません。」 became a complaint that way.
# a 4-5 star review is praise unless a sentence is a complaint at least this sure (model probability)
_SURE_COMPLAINT = 0.5
# what a message is when its sentences differ: a complaint phrased as a question is a complaint
_MESSAGE_PRIORITY = (DocType.COMPLAINT, DocType.QUESTION, DocType.REQUEST, DocType.PRAISE, DocType.OTHER)


@dataclass(frozen=True)
class Cue:
    doc_type: DocType
    weight: int
    negatable: bool
    pattern: re.Pattern[str]


# bump when the rules of Typer.classify_many change (ticket rules, rating rules, message priority)
RULES_VERSION = "2026-12 ticket-sure-cue"


def _cue_text() -> str:
    return resources.files("nlp").joinpath("data/cues_ja.tsv").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _rules_digest() -> str:
    return hashlib.sha256(f"{RULES_VERSION}\n{_cue_text()}".encode()).hexdigest()[:8]


def typer_version(model_version: str | None) -> str:
    """Stored with each message's type (documents.typed_by): the model's examples and features
    (nlp.typing_model.examples_version; None: the lexicon alone), the rules of Typer and the cue lexicon.
    Known without training, so a report checks for messages another typer typed before it trains one."""
    return f"{model_version or 'lexicon'}-{_rules_digest()}"


@lru_cache(maxsize=1)
def cues() -> tuple[Cue, ...]:
    text = _cue_text()
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        doc_type, weight, negatable, regex = line.split("\t")
        out.append(Cue(DocType(doc_type), int(weight), negatable == "1", re.compile(regex)))
    return tuple(out)


def _score_sentence(sentence: str, scores: dict[DocType, int]) -> None:
    for cue in cues():
        for m in cue.pattern.finditer(sentence):
            negated = cue.negatable and _NEGATION.match(sentence[m.end() :])
            if not negated:
                scores[cue.doc_type] += cue.weight
            elif cue.doc_type == DocType.PRAISE:  # 良くない, 満足できない
                scores[DocType.COMPLAINT] += cue.weight


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s.strip()]


# Each sentence is scored up to three times (the model's sentence and main-clause features, the ticket
# rules; the main clause is the sentence when there is no contrast): 1.1 of 6.3 s typing 8,758 messages
# before this cache. It holds a batch's sentences (retype and ingest type 5,000 messages at once), and only
# short ones, so hostile 300k-character fields are never kept: <= 32,768 x 512 characters.
_CACHED_SENTENCES = 32_768
_CACHED_CHARS = 512


def cue_scores(text: str) -> dict[DocType, int]:
    counts = _cached_cue_counts(text) if len(text) <= _CACHED_CHARS else _cue_counts(text)
    return dict(zip(DOC_TYPES, counts, strict=True))


@lru_cache(maxsize=_CACHED_SENTENCES)
def _cached_cue_counts(text: str) -> tuple[int, ...]:
    return _cue_counts(text)


def _cue_counts(text: str) -> tuple[int, ...]:
    scores = dict.fromkeys(DOC_TYPES, 0)
    for sentence in sentences(text):
        _score_sentence(sentence, scores)
        # a polite negative the lexicon lists in plain form: 「スイッチを入れても動きません」 holds 動かない
        # (only sentences with ませ are tagged: every sentence cost the typer 55% more time, 2026-12)
        plain = [p for p in plain_negatives(sentence) if p not in sentence] if "ませ" in sentence else []
        if plain:
            complaints = dict.fromkeys(DOC_TYPES, 0)
            _score_sentence("、".join(plain), complaints)
            scores[DocType.COMPLAINT] += complaints[DocType.COMPLAINT]
    return tuple(scores[t] for t in DOC_TYPES)


def classify_by_cues(text: str, rating: float | None = None) -> DocType:
    """The message's type by the lexicon alone. A 1-2 star review is a complaint and a 4-5 star one
    praise unless the text clearly says otherwise; without a rating the strongest cue type wins."""
    scores = cue_scores(text or "")
    rating = _rated(rating)
    if rating is not None:
        if rating <= 2:
            scores[DocType.COMPLAINT] += _RATING_WEIGHT
        elif rating >= 4:
            scores[DocType.PRAISE] += _RATING_WEIGHT
    # A message with a clear complaint cue is a complaint even when phrased as a question or request:
    # 「まだ届かないのですが、どうなっていますか？」 is about a late parcel, not a question to the FAQ.
    if scores[DocType.COMPLAINT] >= _STRONG_CUE and scores[DocType.COMPLAINT] > scores[DocType.PRAISE]:
        return DocType.COMPLAINT
    best = max(DOC_TYPES[:-1], key=lambda t: (scores[t], -_PRIORITY[t]))
    return best if scores[best] > 0 else DocType.OTHER


def _rated(rating: float | None) -> float | None:
    return rating if rating is not None and rating == rating else None  # NaN: no rating


def _low_rated(rating: float | None) -> bool:
    rated = _rated(rating)
    return rated is not None and rated <= 2


@dataclass(frozen=True)
class Typer:
    """The model, which reads the lexicon's cues as features, and the ticket rule; `model=None` types by the
    lexicon alone."""

    model: TypingModel | None

    @property
    def version(self) -> str:
        return typer_version(self.model.version if self.model is not None else None)

    def classify(self, text: str, rating: float | None = None, kind: str = "ticket") -> DocType:
        return self.classify_many([text], [rating], [kind])[0]

    def classify_many(
        self,
        texts: Sequence[str],
        ratings: Sequence[float | None] | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[DocType]:
        """All at once: the model scores every sentence of every message in one batch. `kinds`: ticket or
        review per message (columns.KINDS); a rated message is a review whatever its kind."""
        ratings = list(ratings) if ratings is not None else [None] * len(texts)
        if self.model is None:
            return [classify_by_cues(t, r) for t, r in zip(texts, ratings, strict=True)]
        scored = self._scored(texts, ratings, kinds)
        return [_message_type(scored.of(i), _rated(rating)) for i, rating in enumerate(ratings)]

    def doubts(
        self,
        texts: Sequence[str],
        ratings: Sequence[float | None] | None = None,
        kinds: Sequence[str] | None = None,
    ) -> np.ndarray:
        """How unsure the type of each message is, for a lead to check first (`koe teach --suggest`): above
        1 where a ticket sentence the model read as praise had no praise cue and fell back to *other*; of
        three e-commerce sets written to test the typer, 23 of the 80 complaints it missed were such
        sentences and 6 of the 75 other messages (bench/README.md, session 14); else 1 minus the margin
        between the model's two likeliest types for the least sure sentence. 0 for a 1-2 star review."""
        ratings = list(ratings) if ratings is not None else [None] * len(texts)
        if self.model is None or not len(texts):
            return np.zeros(len(texts))
        scored = self._scored(texts, ratings, kinds)
        out = np.zeros(len(texts))
        for i in range(len(texts)):
            raw = scored.raw_of(i)
            if not len(raw):
                continue
            top2 = np.sort(raw, axis=1)[:, -2:]
            doubt = float((1 - (top2[:, 1] - top2[:, 0])).max())
            unpraised = scored.unpraised_of(i)
            if unpraised.any() and _message_type(scored.of(i), _rated(ratings[i])) == DocType.OTHER:
                doubt = 1 + float(raw[unpraised, DOC_TYPES.index(DocType.PRAISE)].max())
            out[i] = doubt
        return out

    def _scored(self, texts: Sequence[str], ratings: Sequence[float | None], kinds: Sequence[str] | None) -> _Scored:
        """Every sentence's type scores after the ticket rules, and the model's own, in one batch."""
        assert self.model is not None
        kinds = list(kinds) if kinds is not None else ["ticket"] * len(texts)
        # a 1-2 star review is a complaint whatever its sentences say (_message_type): none is scored
        split = [[] if _low_rated(r) else sentences(t) for t, r in zip(texts, ratings, strict=True)]
        flat = [s for parts in split for s in parts]
        # each distinct sentence scored once: greetings, sign-offs and pasted templates repeat (the 100k
        # bench corpus has 165,519 sentences, 77,096 distinct); fancy indexing copies, so the rules below
        # change one message's rows only
        distinct = list(dict.fromkeys(flat))
        row = {s: i for i, s in enumerate(distinct)}
        at = np.fromiter((row[s] for s in flat), dtype=np.intp, count=len(flat))
        both = np.array(map_parts(partial(_sentence_scores, self.model), distinct), dtype=float)
        both = both.reshape(-1, 2 * len(DOC_TYPES))[at]
        cues, raw = both[:, : len(DOC_TYPES)], both[:, len(DOC_TYPES) :]
        probs = raw.copy()
        praise = DOC_TYPES.index(DocType.PRAISE)
        ticket = np.repeat(
            [k != "review" and _rated(r) is None for k, r in zip(kinds, ratings, strict=True)],
            [len(parts) for parts in split],
        ).astype(bool)
        complaint = DOC_TYPES.index(DocType.COMPLAINT)
        sure = ticket & (cues[:, complaint] >= SURE_CUE) & (cues[:, complaint] > cues[:, praise])
        probs[sure, complaint] = probs[sure].max(axis=1) + 1
        unpraised = ticket & (cues[:, praise] <= 0) & (probs.argmax(axis=1) == praise)
        probs[unpraised] = np.where(cues[unpraised] > 0, probs[unpraised], -np.inf)  # the cues decide
        probs[unpraised, praise] = -np.inf
        probs[unpraised, DOC_TYPES.index(DocType.OTHER)] = 0.0  # ... else other
        bounds = np.concatenate([[0], np.cumsum([len(parts) for parts in split])])
        return _Scored(probs, raw, unpraised, bounds)


def _sentence_scores(model: TypingModel, sentences: list[str]) -> list[np.ndarray]:
    """Per sentence, its cue scores then the model's probabilities (DOC_TYPES order each): the typer's
    costly part, a batch for one worker (nlp.parallel)."""
    cues = np.array([[s[t] for t in DOC_TYPES] for s in map(cue_scores, sentences)], dtype=float)
    return list(np.hstack([cues.reshape(-1, len(DOC_TYPES)), model.probabilities(sentences)]))


@dataclass(frozen=True)
class _Scored:
    """Sentence rows of a batch (messages' sentences in order; message i's rows are bounds[i]:bounds[i+1])."""

    probs: np.ndarray  # after the ticket rules
    raw: np.ndarray  # the model's
    unpraised: np.ndarray  # ticket sentences the model read as praise without a praise cue
    bounds: np.ndarray

    def _rows(self, i: int) -> slice:
        return slice(int(self.bounds[i]), int(self.bounds[i + 1]))

    def of(self, i: int) -> np.ndarray:
        return self.probs[self._rows(i)]

    def raw_of(self, i: int) -> np.ndarray:
        return self.raw[self._rows(i)]

    def unpraised_of(self, i: int) -> np.ndarray:
        return self.unpraised[self._rows(i)]


def _message_type(scores: np.ndarray, rating: float | None) -> DocType:
    """One message from its sentences' scores (rows: sentences, columns: DocType order)."""
    if _low_rated(rating):
        return DocType.COMPLAINT
    found = {DOC_TYPES[i] for i in scores.argmax(axis=1)} if len(scores) else {DocType.OTHER}
    if rating is not None and rating >= 4:
        complaint = DOC_TYPES.index(DocType.COMPLAINT)
        sure = DocType.COMPLAINT in found and scores[:, complaint].max() >= _SURE_COMPLAINT
        return DocType.COMPLAINT if sure else DocType.PRAISE
    return next(t for t in _MESSAGE_PRIORITY if t in found)


LEXICON = Typer(model=None)


def shipped_typer() -> Typer:
    """The model trained on the shipped labelled sentences (it reads the lexicon's cues as features)."""
    from nlp.typing_model import shipped_model

    return Typer(shipped_model())
