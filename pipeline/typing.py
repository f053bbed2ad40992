"""Which typer a store's messages get: the shipped one, or one that also learned the shop's own words from
its rated reviews (1-2 stars: complaint, 4-5: praise) once there are enough of them, and from the types its
CS lead corrected (`koe teach`)."""

from __future__ import annotations

import logging
import math
import pickle
from dataclasses import dataclass
from functools import lru_cache

import sklearn
from sqlalchemy import Engine

from nlp.columns import DocType
from nlp.doctype import Typer, typer_version
from nlp.typing_model import Example, TypingModel, examples_version, load_examples, shipped_model, shipped_model_version
from store import repo
from store.db import session_scope

log = logging.getLogger(__name__)

# below this many reviews on either side the shop's words are too few to learn from: the shipped model
MIN_RATED_PER_SIDE = 100
# at most this many reviews of each side: bounds training to ~15 s (2026-12-03); a power of two, so a
# generation's examples are one block
MAX_RATED_PER_SIDE = 4_096


def _generation(engine: Engine) -> int | None:
    """None below MIN_RATED_PER_SIDE; else log2 of the smaller side: one more each time it doubles."""
    with session_scope(engine) as session:
        low, high = repo.rated_review_counts(session)
    if min(low, high) < MIN_RATED_PER_SIDE:
        return None
    return int(math.log2(min(low, high)))


@lru_cache(maxsize=4)
def _shop_examples(engine: Engine, generation: int) -> tuple[Example, ...]:
    """The shipped sentences and, of each side's first 2^generation stored reviews, the last
    MAX_RATED_PER_SIDE (all of them while they are fewer): the same examples (and model version) until the
    smaller side doubles, so the store is typed again only then; past the cap each doubling learns from
    newer reviews (a shop's words change with its products; the first 4,096 were kept forever before).
    Read once per process and generation: every report asks for the typer's version."""
    size = 2**generation
    block = min(size, MAX_RATED_PER_SIDE)
    with session_scope(engine) as session:
        reviews = repo.rated_reviews(session, block, offset=size - block)
    shop = [Example(t, DocType.COMPLAINT) for t in reviews.low] + [Example(t, DocType.PRAISE) for t in reviews.high]
    return (*load_examples("train"), *shop)


@lru_cache(maxsize=4)
def _shop_version(engine: Engine, generation: int | None, taught: tuple[Example, ...]) -> str:
    return examples_version(_examples(engine, generation, taught))


def _examples(engine: Engine, generation: int | None, taught: tuple[Example, ...]) -> tuple[Example, ...]:
    """What the store's model learns from: the shipped sentences (with the rated reviews of `generation`,
    if any) and the taught messages."""
    return (*(load_examples("train") if generation is None else _shop_examples(engine, generation)), *taught)


def _taught(engine: Engine) -> tuple[Example, ...]:
    """The messages a lead typed by hand (`koe teach`), as tickets: the kind koe types least well (its
    model learnt from hotel reviews; bench/README.md, session 13)."""
    with session_scope(engine) as session:
        return tuple(Example(text, DocType(doc_type)) for text, doc_type in repo.taught_types(session))


@dataclass(frozen=True)
class _Version:
    examples: str  # nlp.typing_model.examples_version of what the model learns from
    generation: int | None  # of the rated reviews; None: too few of them
    taught: tuple[Example, ...]

    @property
    def shipped(self) -> bool:
        return self.generation is None and not self.taught


def _model_version(engine: Engine) -> _Version:
    """The store's model version and what it is made of, without training."""
    generation, taught = _generation(engine), _taught(engine)
    if generation is None and not taught:
        return _Version(shipped_model_version(), None, ())
    return _Version(_shop_version(engine, generation, taught), generation, taught)


def typer_for(engine: Engine) -> Typer:
    """Retrained when the shop's rated reviews have doubled since the last training or a lead taught types
    (kept per process and in the store)."""
    return Typer(_trained(engine, _model_version(engine)))


def current_typer_version(engine: Engine) -> str:
    """typer_for(engine).version without training or loading it (a report checks this before anything is
    typed)."""
    return typer_version(_model_version(engine).examples)


_TRAINED: dict[str, TypingModel] = {}  # this process's models by version (a shop's, the shipped one)
_KEPT = 4


def _trained(engine: Engine, wanted: _Version) -> TypingModel:
    """The model of `version`: this process's, else the store's (trained once per store and scikit-learn
    version: 7 s for the shipped examples, 15 s with a shop's 8,192 reviews, measured 2026-12-03), else
    trained now and stored for the next process."""
    version = wanted.examples
    if version in _TRAINED:
        return _TRAINED[version]
    key = stored_key(version)
    with session_scope(engine) as session:
        blob = repo.cached_typer_model(session, key)
    model = _unpickled(blob, version) if blob is not None else None
    if model is None:
        if wanted.shipped:
            model = shipped_model()
        else:
            model = TypingModel(_examples(engine, wanted.generation, wanted.taught))
        try:
            with session_scope(engine) as session:
                repo.store_typer_model(session, key, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        except repo.ConcurrentWrite:
            pass  # another process trained and stored the same model meanwhile
    while len(_TRAINED) >= _KEPT:
        _TRAINED.pop(next(iter(_TRAINED)))
    _TRAINED[version] = model
    return model


def stored_key(version: str) -> str:
    """The store's key of a model: its examples version and the scikit-learn that pickled it."""
    return f"{version}-sklearn-{sklearn.__version__}"


def _unpickled(blob: bytes, version: str) -> TypingModel | None:
    """The stored model, or None when it cannot be read (a koe whose classes changed): trained again."""
    try:
        model = pickle.loads(blob)  # noqa: S301 - written by koe into its own store (store.models.TyperModel)
    except Exception as exc:  # any unpickling failure means: train again
        log.warning("stored typer %s unreadable (%s): training it again", version, type(exc).__name__)
        return None
    return model if isinstance(model, TypingModel) and model.version == version else None
