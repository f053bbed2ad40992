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


def evaluate() -> dict:
    model = TypingModel(load_examples("train"))
    test = load_examples("test")
    texts, truth, kinds = [e.text for e in test], [e.doc_type for e in test], [e.kind for e in test]
    model_only = [TYPES[i] for i in model.probabilities(texts).argmax(axis=1)]
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
        "model_only": scores(truth, model_only),
    }
