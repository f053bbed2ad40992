"""`koe eval typing`: the typer on the held-out test split of the shipped labelled sentences
(nlp/data/typing/test.tsv: quasi-review sentences and asdc requests, CC BY 4.0, GUIDE.md there), with the
lexicon alone and the model alone in the same run. The model learns from the training split only; nothing
here was tuned on the test split (weights and features were chosen by cross-validation on train)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

from nlp.columns import DocType
from nlp.doctype import LEXICON, Typer
from nlp.typing_model import TypingModel, load_examples

TYPES = tuple(DocType)


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


def evaluate() -> dict:
    model = TypingModel(load_examples("train"))
    test = load_examples("test")
    texts, truth = [e.text for e in test], [e.doc_type for e in test]
    model_only = [TYPES[i] for i in model.probabilities(texts).argmax(axis=1)]
    combined, lexicon = scores(truth, Typer(model).classify_many(texts)), scores(truth, LEXICON.classify_many(texts))
    return {
        "test_size": len(test),
        "train_size": model.size,
        **combined,
        "complaint_f1": combined["per_type"]["complaint"]["f1"],
        "lexicon_only": lexicon,
        "model_only": scores(truth, model_only),
    }
