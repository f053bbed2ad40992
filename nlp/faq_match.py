"""Does an FAQ entry already answer this customer message? A hybrid of embedding similarity (the topic
embedder, message vs FAQ question) and BM25 over fugashi tokens (message vs FAQ question + answer).

Embedding similarity finds paraphrases (「いつ届く？」 vs 「何日で届きますか」); BM25 rewards the shop's own
nouns (送料, 領収書, のし) that an FAQ entry must contain to answer the message. The weight and the
threshold are chosen on labelled data by bench/eval_faq_gaps.py (a grid on a split of its own); the figures
behind the defaults are in bench/README.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# bm25 / (bm25 + BM25_HALF): a raw BM25 score has no fixed scale; this maps it to [0, 1), 0.5 at BM25_HALF
BM25_HALF = 4.0


@dataclass(frozen=True)
class MatchConfig:
    """The defaults are the product's (the settings take them): calibrated by `koe eval faq-gaps` on real
    inquiries (bench/README.md, "FAQ gaps"); a shop can override them with KOE_FAQ_* settings."""

    embedding_weight: float = 0.5
    threshold: float = 0.44  # a message with a best hybrid score at or above this is covered


def bm25_scores(doc_tokens: Sequence[Sequence[str]], faq_tokens: Sequence[Sequence[str]]) -> np.ndarray:
    """(n_docs, n_faq) BM25 scores of each message (as query) against each FAQ entry (as document)."""
    import bm25s

    if not len(faq_tokens):
        return np.zeros((len(doc_tokens), 0), dtype=np.float32)
    retriever = bm25s.BM25()
    # bm25s needs at least one token per document; an empty FAQ text gets a token no message contains
    retriever.index([list(t) or ["\x00"] for t in faq_tokens], show_progress=False)
    vocab = retriever.vocab_dict
    out = np.zeros((len(doc_tokens), len(faq_tokens)), dtype=np.float32)
    for i, tokens in enumerate(doc_tokens):
        known = [t for t in tokens if t in vocab]
        if known:
            out[i] = retriever.get_scores(known)
    return out


def hybrid_scores(
    doc_embeddings: np.ndarray,
    faq_embeddings: np.ndarray,
    doc_tokens: Sequence[Sequence[str]],
    faq_tokens: Sequence[Sequence[str]],
    config: MatchConfig = MatchConfig(),
) -> np.ndarray:
    """(n_docs, n_faq) scores in [0, 1]: weighted embedding cosine (clipped at 0) and saturated BM25."""
    cosine = np.clip(doc_embeddings @ faq_embeddings.T, 0.0, 1.0)
    bm25 = bm25_scores(doc_tokens, faq_tokens)
    lexical = bm25 / (bm25 + BM25_HALF)
    return config.embedding_weight * cosine + (1 - config.embedding_weight) * lexical


@dataclass(frozen=True)
class Coverage:
    best_entry: np.ndarray  # index of the best FAQ entry per message (-1 when there is no FAQ)
    best_score: np.ndarray
    covered: np.ndarray  # bool


def coverage(scores: np.ndarray, config: MatchConfig = MatchConfig()) -> Coverage:
    if scores.shape[1] == 0:
        n = scores.shape[0]
        return Coverage(np.full(n, -1), np.zeros(n, dtype=np.float32), np.zeros(n, dtype=bool))
    best = scores.argmax(axis=1)
    best_score = scores[np.arange(len(scores)), best]
    return Coverage(best, best_score, best_score >= config.threshold)


def _trigrams(text: str) -> set[str]:
    text = "".join(str(text).split())
    return {text[i : i + 3] for i in range(len(text) - 2)}


def restated_entries(
    replies: Sequence[str | None], answers: Sequence[str], urls: Sequence[str | None], min_share: float = 0.5
) -> np.ndarray:
    """The FAQ entry each agent reply restates or links (-1: none): a reply holding an entry's URL links
    it; a reply holding at least `min_share` of an entry's answer (character trigrams, so conjugation and
    word breaks do not matter) restates it. An agent who answers with an entry says the entry exists and the
    customer did not find it (issue #16: "covered but not found")."""
    answer_grams = [_trigrams(a) for a in answers]
    out = np.full(len(replies), -1, dtype=int)
    for i, reply in enumerate(replies):
        if not isinstance(reply, str) or not reply.strip():
            continue
        linked = [j for j, url in enumerate(urls) if isinstance(url, str) and url and url in reply]
        if linked:
            out[i] = linked[0]
            continue
        grams = _trigrams(reply)
        shares = [len(g & grams) / len(g) if g else 0.0 for g in answer_grams]
        best = int(np.argmax(shares)) if shares else -1
        if best >= 0 and shares[best] >= min_share:
            out[i] = best
    return out
