"""Pluggable sentence embedders behind one small interface, chosen by name from an explicit registry.

Each backend imports its heavy library lazily, so picking one never loads the others.
"""

from __future__ import annotations

from collections.abc import Callable

from nlp.embed.base import Embedder, available_cores

_REGISTRY: dict[str, Callable[..., Embedder]] = {}
# the product's default: best quality per second measured on real Japanese inquiries (README, bench/README.md)
DEFAULT = "use"


def register(name: str) -> Callable[[Callable[..., Embedder]], Callable[..., Embedder]]:
    def add(factory: Callable[..., Embedder]) -> Callable[..., Embedder]:
        _REGISTRY[name] = factory
        return factory

    return add


def names() -> list[str]:
    return sorted(_REGISTRY)


def for_queries(embedder: Embedder) -> Embedder:
    """The embedder a message is embedded with when it is matched against FAQ entries as a query: the
    backend's query mode where it has one (e5's `query:` prefix), else the embedder itself."""
    view = getattr(embedder, "for_queries", None)
    return view() if callable(view) else embedder


def get_embedder(name: str, **options: object) -> Embedder:
    """The backend registered as `name`; unknown names fail with the list of known ones."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown embedder {name!r}; choose one of: {', '.join(names())}") from None
    return factory(**options)


@register("use")
def _use(**options: object) -> Embedder:
    from nlp.embed.use import UseEmbedder

    return UseEmbedder(**options)  # type: ignore[arg-type]


@register("e5")
def _e5(**options: object) -> Embedder:
    from nlp.embed.e5 import E5Embedder

    return E5Embedder(**options)  # type: ignore[arg-type]


@register("tfidf")
def _tfidf(**options: object) -> Embedder:
    from nlp.embed.tfidf import TfidfSvdEmbedder

    return TfidfSvdEmbedder(**options)  # type: ignore[arg-type]


@register("sentence-transformers")
def _st(**options: object) -> Embedder:
    from nlp.embed.st import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(**options)  # type: ignore[arg-type]


__all__ = ["DEFAULT", "Embedder", "available_cores", "get_embedder", "names", "register"]
