"""The store's caches joined with nlp: each text is tokenized and embedded once, ever, and a window of
documents is loaded as one frame."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from nlp.embed import Embedder
from nlp.parallel import map_parts
from nlp.prepare import text_hash
from nlp.tokenize import TOKENIZER_VERSION, tokenize_many
from nlp.vector_text import embedded_texts, products_of
from pipeline.calendar import Span, last_complete_data_week
from store import repo
from store.db import session_scope

Progress = Callable[[int, int], None]
EMBED_CHUNK = 1024


def load_window(engine: Engine, span: Span) -> pd.DataFrame:
    """Documents created within `span` (Asia/Tokyo days)."""
    with session_scope(engine) as session:
        return repo.load_documents(session, *span.bounds())


def _distinct_texts(docs: pd.DataFrame) -> dict[str, str]:
    return dict(zip(docs[C.TEXT_HASH], docs[C.TEXT], strict=True))


def tokens_for(engine: Engine, docs: pd.DataFrame) -> list[list[str]]:
    """Tokens aligned with `docs`; only texts never seen before are tokenized (and then cached)."""
    texts = _distinct_texts(docs)
    with session_scope(engine) as session:
        known = repo.cached_tokens(session, list(texts), TOKENIZER_VERSION)
    unseen = [h for h in texts if h not in known]
    fresh = dict(zip(unseen, map_parts(tokenize_many, [texts[h] for h in unseen]), strict=True))
    if fresh:
        with session_scope(engine) as session:
            repo.store_tokens(session, fresh, TOKENIZER_VERSION)
    known.update(fresh)
    return [known[h] for h in docs[C.TEXT_HASH]]


def vector_texts(docs: pd.DataFrame) -> pd.DataFrame:
    """`docs` (text, text hash, product when it has that column) as they are embedded: without their own
    product's name or detail-only sentences (nlp/vector_text.py), hashed again where that changed them."""
    texts = docs[C.TEXT].astype(str).tolist()
    masked = embedded_texts(texts, products_of(docs))
    if masked == texts:
        return docs
    hashes = [h if m == t else text_hash(m) for t, m, h in zip(texts, masked, docs[C.TEXT_HASH], strict=True)]
    return pd.DataFrame({C.TEXT: masked, C.TEXT_HASH: hashes}, index=docs.index)


def embeddings_for(
    engine: Engine, docs: pd.DataFrame, embedder: Embedder, progress: Progress | None = None
) -> np.ndarray:
    """Embeddings aligned with `docs`, of the texts they are embedded by (vector_texts). Cacheable backends embed
    only texts never seen before, in chunks that are stored as they finish, so an interrupted run keeps what
    it computed."""
    docs = vector_texts(docs)
    texts = _distinct_texts(docs)
    if not embedder.cacheable:
        vectors = dict(zip(texts, embedder.embed(list(texts.values())), strict=True))
        return np.vstack([vectors[h] for h in docs[C.TEXT_HASH]])
    with session_scope(engine) as session:
        known = repo.cached_embeddings(session, list(texts), embedder.name)
    missing = [h for h in texts if h not in known]
    for start in range(0, len(missing), EMBED_CHUNK):
        part = missing[start : start + EMBED_CHUNK]
        fresh = dict(zip(part, embedder.embed([texts[h] for h in part]), strict=True))
        with session_scope(engine) as session:
            repo.store_embeddings(session, fresh, embedder.name)
        known.update(fresh)
        if progress:
            progress(start + len(part), len(missing))
    return np.vstack([known[h] for h in docs[C.TEXT_HASH]]) if len(docs) else np.zeros((0, 1), np.float32)


def last_week_with_data(engine: Engine) -> date | None:
    """Monday of the last Monday-Sunday week the stored documents cover completely; None for an empty store."""
    with session_scope(engine) as session:
        _, newest = repo.date_range(session)
    return last_complete_data_week(newest) if newest else None
