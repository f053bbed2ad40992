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


def uncached(engine: Engine, span: Span, embedder_name: str) -> list[tuple[str, str]]:
    """(text hash, text) of the window's distinct texts (every message: the weekly run models them all)
    that miss a token or embedding cache entry."""
    docs = caches.load_window(engine, span)
    texts = dict(zip(docs[C.TEXT_HASH], docs[C.TEXT], strict=True))
    with session_scope(engine) as session:
        tokens = repo.cached_tokens(session, list(texts), TOKENIZER_VERSION)
        vectors = repo.cached_embeddings(session, list(texts), embedder_name)
    return [(h, t) for h, t in texts.items() if h not in tokens or h not in vectors]


def cache_texts(engine: Engine, chunk: list[tuple[str, str]], embedder: Embedder) -> int:
    """Tokenize and embed (text hash, text) pairs into the caches; returns how many."""
    docs = pd.DataFrame(chunk, columns=[C.TEXT_HASH, C.TEXT])
    caches.tokens_for(engine, docs)
    caches.embeddings_for(engine, docs, embedder)
    return len(docs)
