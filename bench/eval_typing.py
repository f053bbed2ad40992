"""`koe eval typing`: the typer on the held-out test split of the shipped labelled sentences
(nlp/data/typing/test.tsv: quasi-review sentences and asdc requests, CC BY 4.0, GUIDE.md there), with the
lexicon alone and the model alone in the same run. The model learns from the training split only; nothing
here was tuned on the test split: features and settings were chosen with `--cv` (cross_validate below),
which never reads it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from nlp.columns import DocType
from nlp.doctype import LEXICON, Typer
from nlp.typing_model import Example, TypingModel, labelled_rows, load_examples

TYPES = tuple(DocType)
# The scored folds of `--cv`: the 2026-12 first labelling round, drawn from 5,882 unlabelled train-review
# sentences as the 300 the model then found likeliest complaints (all of them), 150 of the 172 others with
# a complaint cue, and 350 of the remaining 5,432 at random (GUIDE.md). Weighting each by the inverse of its
# draw's share makes the scores those of random review sentences (complaints ~3-8%), as in the test split.
CV_WEIGHTS = {"r1-top": 1.0, "r1-cue": 172 / 150, "r1-random": 5432 / 350}
CV_FOLDS = 5


def scores(truth: Sequence[DocType], predicted: Sequence[DocType]) -> dict:
    labels = [t.value for t in TYPES]
    p, r, f, n = precision_recall_fscore_support(
        [t.value for t in truth], [t.value for t in predicted], labels=labels, zero_division=0
    )
    per_type = {
        t: {"precision": round(float(pi), 3), "recall": round(float(ri), 3), "f1": round(float(fi), 3), "n": int(ni)}
        for t, pi, ri, fi, ni in zip(labels, p, r, f, n, strict=True)
    }
    return {"per_type": per_type, "macro_f1": round(float(np.mean(f)), 3)}


def _kind_scores(truth: Sequence[DocType], typed: Sequence[DocType], kinds: Sequence[str], kind: str) -> dict:
    """Accuracy and macro-F1 over the types that kind's messages have (the asdc inquiries hold no complaints)."""
    rows = [(t, p) for t, p, k in zip(truth, typed, kinds, strict=True) if k == kind]
    present = {t.value for t, _ in rows}
    per_type = scores([t for t, _ in rows], [p for _, p in rows])["per_type"]
    return {
        "n": len(rows),
        "accuracy": round(sum(t == p for t, p in rows) / len(rows), 3),
        "macro_f1": round(float(np.mean([v["f1"] for t, v in per_type.items() if t in present])), 3),
    }


def _model_only(model: TypingModel, texts: list[str]) -> list[DocType]:
    return [TYPES[i] for i in model.probabilities(texts).argmax(axis=1)]


def evaluate() -> dict:
    train = load_examples("train")
    model, ngrams = TypingModel(train), TypingModel(train, with_cues=False)
    test = load_examples("test")
    texts, truth, kinds = [e.text for e in test], [e.doc_type for e in test], [e.kind for e in test]
    typed = Typer(model).classify_many(texts, kinds=kinds)
    combined, lexicon = scores(truth, typed), scores(truth, LEXICON.classify_many(texts))
    per_kind = {kind: _kind_scores(truth, typed, kinds, kind) for kind in sorted(set(kinds))}
    return {
        "test_size": len(test),
        "train_size": model.size,
        **combined,
        "per_kind": per_kind,
        "complaint_f1": combined["per_type"]["complaint"]["f1"],
        "lexicon_only": lexicon,
        "model_only": scores(truth, _model_only(ngrams, texts)),
    }


def _weighted(truth: np.ndarray, typed: np.ndarray, weights: np.ndarray) -> dict:
    """Weighted precision, recall and F1 of each type the review sentences have, and their mean."""
    out = {}
    for t in (DocType.COMPLAINT, DocType.PRAISE, DocType.OTHER):
        tp = weights[(truth == t.value) & (typed == t.value)].sum()
        p = tp / max(weights[typed == t.value].sum(), 1e-9)
        r = tp / max(weights[truth == t.value].sum(), 1e-9)
        out[t.value] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / max(p + r, 1e-9), 3)}
    return {"per_type": out, "macro_f1": round(float(np.mean([v["f1"] for v in out.values()])), 3)}


def cross_validate() -> dict:
    """Training split only: the scored rows (CV_WEIGHTS) are cut into folds; each fold is typed by models
    trained on everything else (the other draws always train). Combined, model alone and lexicon alone."""
    examples: list[Example] = load_examples("train")
    weights = np.array([CV_WEIGHTS.get(row["draw"], 0.0) for row in labelled_rows("train")])
    truth = np.array([e.doc_type.value for e in examples])
    scored, always = np.flatnonzero(weights > 0), np.flatnonzero(weights == 0)
    typed = {name: np.empty(len(examples), dtype=object) for name in ("combined", "model_only", "lexicon_only")}
    folds = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=0).split(scored, truth[scored])
    for train_at, test_at in folds:
        train = [examples[i] for i in np.concatenate([always, scored[train_at]])]
        held = scored[test_at]
        texts, kinds = [examples[i].text for i in held], [examples[i].kind for i in held]
        typed["combined"][held] = [t.value for t in Typer(TypingModel(train)).classify_many(texts, kinds=kinds)]
        typed["model_only"][held] = [t.value for t in _model_only(TypingModel(train, with_cues=False), texts)]
        typed["lexicon_only"][held] = [t.value for t in LEXICON.classify_many(texts)]
    result = {name: _weighted(truth[scored], pred[scored], weights[scored]) for name, pred in typed.items()}
    return {"cv_rows": len(scored), "train_rows": len(examples), "folds": CV_FOLDS, **result}
