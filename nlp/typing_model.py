"""The learned half of message typing: character n-grams of the sentence and of its main clause, a
logistic regression trained on labelled Japanese sentences (nlp/data/typing, GUIDE.md there).

Why these features: in 5-fold cross-validation on the training split (920 sentences), character 1-3-grams
reached macro-F1 0.733; adding the clause after the last contrast (「〜ですが、部屋が狭かった」: the
main clause carries the verdict, as the labelling guide says) 0.746 and complaint F1 0.62 -> 0.67; fugashi
token n-grams added nothing (0.727) and would tokenize every message a second time at ingest.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from nlp.columns import DocType
from nlp.normalize import normalize_text

DOC_TYPES = tuple(DocType)
SPLITS = ("train", "test")
_CONTRAST = re.compile(r"(?:が|けど|けれど|けれども|ものの|ながらも|のに|しかし|ただ|でも)、")
_KIND_OF_SOURCE = {"asdc": "ticket", "quasi-reviews": "review"}
_C = 3.0  # cross-validated on the training split: 3 > 10 > 30


@dataclass(frozen=True)
class Example:
    text: str
    doc_type: DocType
    kind: str = "ticket"  # columns.KINDS: the asdc requests are inquiries, the quasi-review sentences reviews


def main_clause(sentence: str) -> str:
    """The clause after the last contrast: 「朝食は美味しかったが、部屋が狭かった」 -> 「部屋が狭かった」."""
    return _CONTRAST.split(sentence)[-1]


def _main_clauses(texts: Iterable[str]) -> list[str]:
    return [main_clause(t) for t in texts]


def load_examples(split: str) -> list[Example]:
    """The shipped labelled sentences of one split (train: what the model learns from; test: held out,
    only `koe eval typing` reads it)."""
    if split not in SPLITS:
        raise ValueError(f"split {split!r}: use one of {', '.join(SPLITS)}")
    text = resources.files("nlp").joinpath(f"data/typing/{split}.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [Example(normalize_text(row["text"]), DocType(row["label"]), _KIND_OF_SOURCE[row["source"]]) for row in rows]


class TypingModel:
    """Probabilities of the five types for each text, columns in `DocType` order."""

    def __init__(self, examples: Sequence[Example]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union
        from sklearn.preprocessing import FunctionTransformer

        labels = {e.doc_type for e in examples}
        if labels != set(DOC_TYPES):
            missing = ", ".join(sorted(t.value for t in set(DOC_TYPES) - labels))
            raise ValueError(f"training examples lack the types: {missing}")
        chars = {"analyzer": "char_wb", "ngram_range": (1, 3), "sublinear_tf": True}
        self._pipeline = make_pipeline(
            make_union(
                TfidfVectorizer(**chars),
                make_pipeline(FunctionTransformer(_main_clauses), TfidfVectorizer(**chars)),
            ),
            LogisticRegression(C=_C, max_iter=3000, class_weight="balanced"),
        )
        self._pipeline.fit([e.text for e in examples], [e.doc_type.value for e in examples])
        classes = list(self._pipeline.classes_)
        self._order = [classes.index(t.value) for t in DOC_TYPES]
        self.size = len(examples)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(DOC_TYPES)))
        return self._pipeline.predict_proba(list(texts))[:, self._order]


@lru_cache(maxsize=1)
def shipped_model() -> TypingModel:
    """Trained on the shipped training split only (the test split stays held out); 3.6 s here, once."""
    return TypingModel(load_examples("train"))
