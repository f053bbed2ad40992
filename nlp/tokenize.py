"""Japanese tokenization for topic words and lexical matching (fugashi + unidic-lite).

One Tagger per thread, created lazily: a Tagger is not thread-safe (ARCHITECTURE.md) and the module-level
`tokenize` pickles by reference, so it works under multiprocessing and Dask.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources

# Bump when the filter, stopwords or splitting change: cached tokens of older versions are recomputed.
# tests/nlp/test_tokenize.py fingerprints what the tokens depend on and fails until the version is bumped.
TOKENIZER_VERSION = "unidic-lite-pos2"

# fugashi segfaults on a single ~1.4M-character string (ARCHITECTURE.md); BERTopic's c-TF-IDF joins whole topics.
MAX_PIECE_CHARS = 10_000
_PIECE_BREAK = re.compile(r"(?<=[。！？!?\n ])")

_KEEP_POS = {"名詞", "動詞", "形容詞", "形状詞"}
_DROP_POS2 = {"数詞", "固有名詞_人名"}
# 名詞/形容詞 tagged 非自立可能 (こと, もの, ほしい) are function words. Verbs are not dropped by tag: UniDic
# marks 忘れる and 届く-like content verbs 非自立可能 too; the functional ones (する, いる, できる) are stopwords.
_DROP_NONINDEPENDENT = {"名詞", "形容詞"}
_PLACEHOLDER = re.compile(r"<[A-Z]+>")  # <EMAIL> etc. from nlp.pii: not words
_ONLY_SYMBOLS = re.compile(r"^[\W_ー〜~]+$")
_KATAKANA = re.compile(r"^[ァ-ヴー]+$")

_local = threading.local()


def _tagger():
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        import fugashi  # heavy: the dictionary loads here, once per thread

        tagger = _local.tagger = fugashi.Tagger()
    return tagger


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Japanese stopwords plus e-commerce filler, kept in nlp/data/stopwords_ja.txt."""
    text = resources.files("nlp").joinpath("data/stopwords_ja.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(w for w in words if w)


def split_long(text: str, limit: int = MAX_PIECE_CHARS) -> Iterator[str]:
    """Pieces of at most `limit` chars, cut after sentence ends or spaces where possible."""
    if len(text) <= limit:
        yield text
        return
    piece: list[str] = []
    size = 0
    for part in _PIECE_BREAK.split(text):
        while len(part) > limit:  # no break at all in a long run: hard cut
            yield from ([("".join(piece))] if piece else [])
            piece, size = [], 0
            yield part[:limit]
            part = part[limit:]
        if size + len(part) > limit:
            yield "".join(piece)
            piece, size = [], 0
        piece.append(part)
        size += len(part)
    if piece:
        yield "".join(piece)


def _content_words(text: str) -> Iterator[tuple[str, bool]]:
    """(word, glue) for each kept morpheme. `glue` is true for a katakana noun that continues the previous
    one: UniDic splits loanword compounds (ログイン -> ログ + イン, ワンピース -> ワン + ピース). A piece glues
    when it is 1-2 characters, or when the previous piece was a 1-2 character start (not itself glued), so
    ログイン + ボタン stay two words. Features are read from the raw CSV for speed."""
    stop = stopwords()
    prev_len, prev_glued = 0, False  # previous morpheme, if it was a katakana noun
    for node in _tagger()(text):
        fields = node.feature_raw.split(",", 11)
        pos1, pos2, surface = fields[0], fields[1], node.surface
        kata = pos1 == "名詞" and bool(_KATAKANA.match(surface))
        glue = kata and prev_len > 0 and (len(surface) <= 2 or (prev_len <= 2 and not prev_glued))
        prev_len, prev_glued = (len(surface) if kata else 0), glue
        if glue:
            yield surface, True
            continue
        if pos1 not in _KEEP_POS or pos2 in _DROP_POS2:
            continue
        if pos2 == "非自立可能" and pos1 in _DROP_NONINDEPENDENT:
            continue
        word = fields[10] if len(fields) > 10 and fields[10] not in ("", "*") else surface
        if word in stop or _ONLY_SYMBOLS.match(word) or word.isdigit():
            continue
        yield word, False


def _merge_katakana(words: Iterable[tuple[str, bool]]) -> list[str]:
    out: list[str] = []
    for word, glue in words:
        if glue and out:
            out[-1] += word
        else:
            out.append(word)
    return out


def tokenize(text: str) -> list[str]:
    """Content words (orthBase) of one normalized document, in order."""
    if not text:
        return []
    text = _PLACEHOLDER.sub(" ", text)
    return [w for piece in split_long(text) for w in _merge_katakana(_content_words(piece))]


def tokenize_many(texts: Iterable[str]) -> list[list[str]]:
    return [tokenize(t) for t in texts]
