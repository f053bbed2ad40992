"""The learned half of message typing: a logistic regression over character n-grams of the sentence and of
its main clause, lemma n-grams, and the cue lexicon's scores, trained on labelled Japanese sentences
(nlp/data/typing, GUIDE.md there).

Why these features, measured by 5-fold cross-validation on the training split (bench/eval_typing.py
`--cv`: the 800 sentences of the 2026-12 labelling round, weighted back to random review sentences, are
the folds scored): character 1-3-grams of the sentence and of its main clause, the shipped features until
2026-12, complaint F1 0.68 (macro 0.75) with the lexicon blended in afterwards; + the cue scores as
features (the regression learns what each cue type is worth instead of a fixed blend weight) 0.75;
+ lemma/part-of-speech 1-2-grams from fugashi 0.78 (macro 0.81). A fixed blend or the old sure-cue override
on top of that only lowered it (0.75, 0.77). koe's topic tokens instead of lemmas: 0.76 (they drop the
auxiliaries ない, たい, ず that carry the verdict).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from nlp.columns import DocType
from nlp.doctype import cue_scores
from nlp.normalize import normalize_text
from nlp.tokenize import lemma_words

DOC_TYPES = tuple(DocType)
SPLITS = ("train", "test")
_CONTRAST = re.compile(r"(?:が|けど|けれど|けれども|ものの|ながらも|のに|しかし|ただ|でも)、")
_KIND_OF_SOURCE = {"asdc": "ticket", "quasi-reviews": "review"}
# newton-cg: the same convex optimum as lbfgs in 1.3 s instead of 5.2 s on 114k features (7 iterations)
_C = 10.0  # cross-validated on the training split (2026-12, 2,719 sentences): 10 >= 30 > 3 > 1
_CUE_CAP = 6  # a cue score counts up to two sure cues: a sentence listing five problems is not five times surer


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


def _words(texts: Iterable[str]) -> list[str]:
    """Each text as lemma/part-of-speech words: 狭く, 狭かっ and 狭い are one word 狭い/形容詞 (UniDic's
    lemma, English glosses and all: features, never shown)."""
    return [" ".join(lemma_words(t)) for t in texts]


def _cue_features(texts: Iterable[str]) -> np.ndarray:
    """The lexicon's score of each type (nlp/doctype.py: negation-aware), capped and scaled to about 0-2."""
    return np.array(
        [[min(scores[t], _CUE_CAP) / 3 for t in DOC_TYPES] for scores in map(cue_scores, texts)], dtype=float
    ).reshape(-1, len(DOC_TYPES))


def labelled_rows(split: str) -> list[dict[str, str]]:
    """The rows of one split's file as written (id, source, label, text; train also draw)."""
    if split not in SPLITS:
        raise ValueError(f"split {split!r}: use one of {', '.join(SPLITS)}")
    text = resources.files("nlp").joinpath(f"data/typing/{split}.tsv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))


def load_examples(split: str) -> list[Example]:
    """The shipped labelled sentences of one split (train: what the model learns from; test: held out,
    only `koe eval typing` reads it)."""
    rows = labelled_rows(split)
    return [Example(normalize_text(row["text"]), DocType(row["label"]), _KIND_OF_SOURCE[row["source"]]) for row in rows]


# bump when the features or the regression change: stored messages are typed again (pipeline/retype.py)
FEATURES_VERSION = "2026-12 chars+lemmas+cues"


def examples_version(examples: Sequence[Example], with_cues: bool = True) -> str:
    """What the model learnt from and how: the same examples and features give the same version."""
    digest = hashlib.sha256(f"{FEATURES_VERSION}|{with_cues}".encode())
    for e in examples:
        digest.update(f"\n{e.kind}\t{e.doc_type.value}\t{e.text}".encode())
    return digest.hexdigest()[:16]


class TypingModel:
    """Probabilities of the five types for each text, columns in `DocType` order. With `with_cues` (the
    shipped typer) the lexicon's cue scores of the sentence and of its main clause are features, so this is
    the combined system; without, the n-gram model alone, which `koe eval typing` reports beside it."""

    def __init__(self, examples: Sequence[Example], with_cues: bool = True) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union
        from sklearn.preprocessing import FunctionTransformer

        labels = {e.doc_type for e in examples}
        if labels != set(DOC_TYPES):
            missing = ", ".join(sorted(t.value for t in set(DOC_TYPES) - labels))
            raise ValueError(f"training examples lack the types: {missing}")
        chars = {"analyzer": "char_wb", "ngram_range": (1, 3), "sublinear_tf": True}
        main = FunctionTransformer(_main_clauses)
        features = [
            TfidfVectorizer(**chars),
            make_pipeline(main, TfidfVectorizer(**chars)),
            make_pipeline(
                FunctionTransformer(_words),
                TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True),
            ),
        ]
        if with_cues:
            features += [FunctionTransformer(_cue_features), make_pipeline(main, FunctionTransformer(_cue_features))]
        self._pipeline = make_pipeline(
            make_union(*features), LogisticRegression(C=_C, max_iter=3000, class_weight="balanced", solver="newton-cg")
        )
        self._pipeline.fit([e.text for e in examples], [e.doc_type.value for e in examples])
        classes = list(self._pipeline.classes_)
        self._order = [classes.index(t.value) for t in DOC_TYPES]
        self.size = len(examples)
        self.with_cues = with_cues
        self.version = examples_version(examples, with_cues)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(DOC_TYPES)))
        return self._pipeline.predict_proba(list(texts))[:, self._order]


@lru_cache(maxsize=1)
def shipped_model_version() -> str:
    return examples_version(load_examples("train"))


@lru_cache(maxsize=1)
def shipped_model() -> TypingModel:
    """Trained on the shipped training split only (the test split stays held out), once per process."""
    return TypingModel(load_examples("train"))
