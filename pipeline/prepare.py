"""Scale-out support: which of a window's texts still miss a cache entry, and caching a chunk of them, so
that workers (flows/scale.py, Dask) can fill the caches the weekly run then reads."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from nlp.embed import Embedder
from nlp.tokenize import TOKENIZER_VERSION
from pipeline import caches
from pipeline.calendar import Span
from store import repo
from store.db import session_scope

Chunk = list[tuple[str, str, str | None]]  # (text hash, text, product) of distinct messages


def uncached(engine: Engine, span: Span, embedder_name: str) -> Chunk:
    """The window's distinct messages (every message: the weekly run models them all) that miss a token
    cache entry or the embedding of the text they are embedded by (caches.vector_texts)."""
    docs = caches.load_window(engine, span).drop_duplicates([C.TEXT_HASH, C.PRODUCT])
    embedded = caches.vector_texts(docs)[C.TEXT_HASH]
    with session_scope(engine) as session:
        tokens = repo.cached_tokens(session, docs[C.TEXT_HASH].unique().tolist(), TOKENIZER_VERSION)
        vectors = repo.cached_embeddings(session, embedded.unique().tolist(), embedder_name)
    missing = ~docs[C.TEXT_HASH].isin(list(tokens)) | ~embedded.isin(list(vectors))
    rows = docs[missing]
    products = [p if isinstance(p, str) else None for p in rows[C.PRODUCT]]
    return list(zip(rows[C.TEXT_HASH], rows[C.TEXT], products, strict=True))


def cache_texts(engine: Engine, chunk: Chunk, embedder: Embedder) -> int:
    """Tokenize and embed (text hash, text, product) rows into the caches; returns how many."""
    docs = pd.DataFrame(chunk, columns=[C.TEXT_HASH, C.TEXT, C.PRODUCT])
    caches.tokens_for(engine, docs)
    caches.embeddings_for(engine, docs, embedder)
    return len(docs)
