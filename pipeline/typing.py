"""Which typer a store's messages get: the shipped one, or one that also learned the shop's own words from
its rated reviews (1-2 stars: complaint, 4-5: praise) once there are enough of them."""

from __future__ import annotations

import math
from functools import lru_cache

from sqlalchemy import Engine

from nlp.columns import DocType
from nlp.doctype import Typer, shipped_typer, typer_version
from nlp.typing_model import Example, TypingModel, examples_version, load_examples
from store import repo
from store.db import session_scope

# below this many reviews on either side the shop's words are too few to learn from: the shipped model
MIN_RATED_PER_SIDE = 100
# at most this many reviews of each side: bounds training to a few seconds
MAX_RATED_PER_SIDE = 5_000


def _generation(engine: Engine) -> int | None:
    """None below MIN_RATED_PER_SIDE; else log2 of the smaller side (capped): one more each time it doubles."""
    with session_scope(engine) as session:
        low, high = repo.rated_review_counts(session)
    if min(low, high) < MIN_RATED_PER_SIDE:
        return None
    return int(math.log2(min(low, high, MAX_RATED_PER_SIDE)))


def _shop_examples(engine: Engine, generation: int) -> list[Example]:
    """The shipped sentences and the first 2^generation stored reviews of each side: the same examples (and
    model version) until the smaller side doubles, so the store is typed again only then."""
    with session_scope(engine) as session:
        reviews = repo.rated_reviews(session, 2**generation)
    shop = [Example(t, DocType.COMPLAINT) for t in reviews.low] + [Example(t, DocType.PRAISE) for t in reviews.high]
    return load_examples("train") + shop


def typer_for(engine: Engine) -> Typer:
    """Retrained when the shop's rated reviews have doubled since the last training (kept per process)."""
    generation = _generation(engine)
    return shipped_typer() if generation is None else _shop_typer(engine, generation)


def current_typer_version(engine: Engine) -> str:
    """typer_for(engine).version without training it (a report checks this before anything is typed)."""
    generation = _generation(engine)
    examples = load_examples("train") if generation is None else _shop_examples(engine, generation)
    return typer_version(examples_version(examples))


@lru_cache(maxsize=4)
def _shop_typer(engine: Engine, generation: int) -> Typer:
    return Typer(TypingModel(_shop_examples(engine, generation)))
