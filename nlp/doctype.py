"""Typing a customer message as complaint / question / request / praise / other.

Rating decides first where there is one (reviews); the text decides through a cue lexicon
(nlp/data/cues_ja.tsv) with negation handling, so 「壊れていなかった」 is not a complaint and
「良くなかった」 is one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from nlp.columns import DocType

DOC_TYPES = tuple(DocType)
_PRIORITY = {t: i for i, t in enumerate(DOC_TYPES)}  # ties go to the earlier type
# Only kana may stand between a cue and its negation: 「丁寧で壊れていなかった」 must not negate 丁寧.
# kanji 無い/無く negate too: 「悪くは無い」 is not a complaint
_NEGATION = re.compile(r"^[ぁ-ゖ]{0,5}?(?:ない|無い|なかった|無かった|なく|無く|ず|ません)")
_RATING_WEIGHT = 3
_STRONG_CUE = 2


@dataclass(frozen=True)
class Cue:
    doc_type: DocType
    weight: int
    negatable: bool
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def cues() -> tuple[Cue, ...]:
    text = resources.files("nlp").joinpath("data/cues_ja.tsv").read_text(encoding="utf-8")
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


def cue_scores(text: str) -> dict[DocType, int]:
    scores = dict.fromkeys(DOC_TYPES, 0)
    for sentence in re.split(r"(?<=[。!！?？\n])", text):
        if sentence.strip():
            _score_sentence(sentence.strip(), scores)
    return scores


def classify(text: str, rating: float | None = None) -> DocType:
    """The message's type. A 1-2 star review is a complaint and a 4-5 star one praise unless
    the text clearly says otherwise; without a rating the strongest cue type wins."""
    scores = cue_scores(text or "")
    if rating is not None and rating == rating:  # NaN-safe
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


def classify_many(texts: Iterable[str], ratings: Iterable[float | None]) -> list[DocType]:
    return [classify(t, r) for t, r in zip(texts, ratings, strict=True)]
