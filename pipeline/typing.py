"""Which typer a store's messages get: the shipped one, or one that also learned the shop's own words from
its rated reviews (1-2 stars: complaint, 4-5: praise) once there are enough of them."""

from __future__ import annotations

import math
from functools import lru_cache

from sqlalchemy import Engine

from nlp.columns import DocType
from nlp.doctype import Typer, shipped_typer
from nlp.typing_model import Example, TypingModel, load_examples
from store import repo
from store.db import session_scope

# below this many reviews on either side the shop's words are too few to learn from: the shipped model
MIN_RATED_PER_SIDE = 100
# the newest reviews of each side a shop model learns from: bounds training to a few seconds
MAX_RATED_PER_SIDE = 5_000


def typer_for(engine: Engine) -> Typer:
    """Retrained when the shop's rated reviews have doubled since the last training (kept per process)."""
    with session_scope(engine) as session:
        low, high = repo.rated_review_counts(session)
    if min(low, high) < MIN_RATED_PER_SIDE:
        return shipped_typer()
    return _shop_typer(engine, generation=int(math.log2(min(low, high, MAX_RATED_PER_SIDE))))


@lru_cache(maxsize=4)
def _shop_typer(engine: Engine, generation: int) -> Typer:
    with session_scope(engine) as session:
        reviews = repo.rated_reviews(session, MAX_RATED_PER_SIDE)
    shop = [Example(t, DocType.COMPLAINT) for t in reviews.low] + [Example(t, DocType.PRAISE) for t in reviews.high]
    return Typer(TypingModel(load_examples("train") + shop))
