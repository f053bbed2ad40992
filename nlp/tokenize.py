"""Japanese tokenization for topic words and lexical matching (fugashi + unidic-lite).

One Tagger per thread, created lazily: a Tagger is not thread-safe (ARCHITECTURE.md) and the module-level
`tokenize` pickles by reference, so it works under multiprocessing and Dask.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Bump when the filter, stopwords or splitting change: cached tokens of older versions are recomputed.
# tests/nlp/test_tokenize.py fingerprints what the tokens depend on and fails until the version is bumped.
TOKENIZER_VERSION = "unidic-lite-phrases4"

# fugashi segfaults on a single ~1.4M-character string (ARCHITECTURE.md); BERTopic's c-TF-IDF joins whole topics.
MAX_PIECE_CHARS = 10_000
_PIECE_BREAK = re.compile(r"(?<=[。！？!?\n ])")

_KEEP_POS = {"名詞", "動詞", "形容詞", "形状詞"}
# 名詞/形容詞 tagged 非自立可能 (こと, もの, ほしい) are function words. Verbs are not dropped by tag: UniDic
# marks 忘れる and 届く-like content verbs 非自立可能 too; the functional ones (する, いる, できる) are stopwords.
_DROP_NONINDEPENDENT = {"名詞", "形容詞"}
# <EMAIL> etc. from nlp.pii are not words, nor the label a customer put before the value (電話番号, 連絡先は,
# カード番号): pasted contact details named demo topics 「到着・電話番号」 (issue #13)
# (<MEMBER_ID>, <LINE_ID> were read as the words MEMBER, ID and LINE until 2026-12-03: [A-Z_], not [A-Z])
_PLACEHOLDER = re.compile(r"(?:[一-龥々ァ-ヴー]{1,8}\s?(?:は|:|：)?\s?)?<[A-Z_]+>")
_ONLY_SYMBOLS = re.compile(r"^[\W_ー〜~]+$")
_KATAKANA = re.compile(r"^[ァ-ヴー]+$")

_MAX_COMPOUND = 12  # characters: a longer noun run is a product name or a list, not a phrase
_NUMERAL_COMPOUNDS = {"二重", "一括", "一覧", "一部", "一時", "一度"}
_A_ROW = dict(zip("うくぐすつぬぶむる", "わかがさたなばまら", strict=True))
_AUX_CHAIN = 5  # auxiliaries, て and いる/しまう a negation may sit behind: 届いていません

_local = threading.local()


def _tagger():
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        import fugashi  # heavy: the dictionary loads here, once per thread

        tagger = _local.tagger = fugashi.Tagger()
    return tagger


tagger = _tagger  # this thread's Tagger, for nlp.pii's names (a public name, so the tokenizer's source is unchanged)


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


@dataclass(frozen=True)
class Morph:
    surface: str
    pos1: str
    pos2: str
    pos3: str
    ctype: str
    base: str  # orthBase, or the surface where UniDic has none


def _morphemes(text: str) -> list[Morph]:
    """Features are read from the raw CSV for speed."""
    out = []
    for node in _tagger()(text):
        f = node.feature_raw.split(",", 11)
        base = f[10] if len(f) > 10 and f[10] not in ("", "*") else node.surface
        pos2, pos3, ctype = (f[i] if len(f) > i else "" for i in (1, 2, 4))
        out.append(Morph(node.surface, f[0], pos2, pos3, ctype, base))
    return out


def lemma_words(text: str) -> list[str]:
    """`lemma/pos1` of every morpheme of `text` (the typer's word features, nlp/typing_model.py), tagged in
    pieces of at most MAX_PIECE_CHARS (fugashi crashes on huge strings). Read straight from the raw
    features: building a Morph per morpheme was a third of the typer's time."""
    out = []
    for piece in split_long(text):
        for node in _tagger()(piece):
            f = node.feature_raw.split(",", 8)
            lemma = f[7] if len(f) > 7 and f[7] not in ("", "*") else node.surface
            out.append(f"{lemma}/{f[0]}")
    return out


def _content_words(morphs: list[Morph]) -> Iterator[tuple[str, bool]]:
    """(word, glue) for each kept morpheme. `glue` is true for a katakana noun that continues the previous
    one: UniDic splits loanword compounds (ログイン -> ログ + イン, ワンピース -> ワン + ピース). A piece glues
    when it is 1-2 characters, or when the previous piece was a 1-2 character start (not itself glued), so
    ログイン + ボタン stay two words."""
    stop = stopwords()
    prev_len, prev_glued = 0, False  # previous morpheme, if it was a katakana noun
    for m in morphs:
        kata = m.pos1 == "名詞" and bool(_KATAKANA.match(m.surface))
        glue = kata and prev_len > 0 and (len(m.surface) <= 2 or (prev_len <= 2 and not prev_glued))
        prev_len, prev_glued = (len(m.surface) if kata else 0), glue
        if glue:
            yield m.surface, True
            continue
        if m.pos1 not in _KEEP_POS or _dropped(m):
            continue
        if m.pos2 == "非自立可能" and m.pos1 in _DROP_NONINDEPENDENT:
            continue
        if m.base in stop or _ONLY_SYMBOLS.match(m.base) or m.base.isdigit():
            continue
        yield m.base, False


def _merge_katakana(words: Iterable[tuple[str, bool]]) -> list[str]:
    out: list[str] = []
    for word, glue in words:
        if glue and out:
            out[-1] += word
        else:
            out.append(word)
    return out


def _dropped(m: Morph) -> bool:
    """Numerals and person names (名詞,固有名詞,人名: a customer's or an agent's name is no topic word)."""
    return m.pos2 == "数詞" or (m.pos2 == "固有名詞" and m.pos3 == "人名")


def _compound_part(m: Morph) -> bool:
    if m.pos1 == "名詞" and m.pos2 == "固有名詞" and m.pos3 == "人名":
        return False
    if m.pos1 == "名詞":
        return m.pos2 in ("普通名詞", "固有名詞") or m.pos2 == "数詞" and not m.surface.isascii()
    return m.pos1 == "接頭辞" or (m.pos1 == "接尾辞" and m.pos2 == "名詞的")


def _compounds(morphs: list[Morph]) -> Iterator[str]:
    """Nouns UniDic cut into short units, joined back: 追跡+番号 -> 追跡番号, 領収+書 -> 領収書, パスワード+再+設定
    -> パスワード再設定 (ARCHITECTURE.md: readable topic names need them). A run that starts with a number
    (一週間, 3日) is a quantity, not a thing, except 二重 and the like; a name (人名) breaks a run."""
    run: list[Morph] = []
    for m in [*morphs, Morph("", "", "", "", "", "")]:
        if _compound_part(m) and not (m.pos1 == "接尾辞" and not run):
            run.append(m)
            continue
        while run and run[-1].pos1 == "接頭辞":
            run.pop()
        text = "".join(r.surface for r in run)
        numeral_led = run and run[0].pos2 == "数詞" and text[:2] not in _NUMERAL_COMPOUNDS
        if len(run) >= 2 and not numeral_led and len(text) <= _MAX_COMPOUND and not _KATAKANA.match(text):
            if text not in stopwords():
                yield text
        run = []


def _negative_stem(m: Morph, passive: str) -> str | None:
    """The form before ない: 届く -> 届か, 調べる -> 調べ, する -> し (され when passive)."""
    if m.base in ("する", "為る"):
        return "さ" + passive if passive else "し"
    if m.base in ("できる", "出来る"):
        return "でき"
    if m.ctype.startswith("五段") and m.base[-1:] in _A_ROW:
        return m.base[:-1] + _A_ROW[m.base[-1]] + passive
    if "一段" in m.ctype:
        return m.base[:-1] + passive
    return None


def _negated_predicates(morphs: list[Morph]) -> Iterator[str]:
    """A verb negated within its auxiliaries, in plain form: 届いていません -> 届かない, 反映されず ->
    反映されない, ログインできません -> ログインできない. The predicate is what makes a theme a complaint."""
    stop = stopwords()
    for i, m in enumerate(morphs):
        if m.pos1 != "動詞" or (i and morphs[i - 1].pos1 == "動詞"):
            continue
        passive, negated = "", False
        for aux in morphs[i + 1 : i + 1 + _AUX_CHAIN]:
            if aux.pos1 == "助動詞" and aux.base in ("れる", "られる") and not passive:
                passive = "れ" if aux.base == "れる" else "られ"
            elif aux.pos1 == "助動詞" and aux.base in ("ない", "ぬ", "ず"):
                negated = True
                break
            elif not (
                aux.pos1 == "助動詞" or (aux.pos1 == "助詞" and aux.base in ("て", "で")) or aux.pos2 == "非自立可能"
            ):
                break
        if not negated:
            continue
        noun = ""
        if m.base in ("する", "為る", "できる", "出来る"):
            j = i
            while j and morphs[j - 1].pos1 == "名詞" and not _dropped(morphs[j - 1]):
                j -= 1
            noun = "".join(x.surface for x in morphs[j:i])
            if not noun:
                continue
        elif m.base in stop:
            continue
        stem = _negative_stem(m, passive)
        if stem and len(noun) <= _MAX_COMPOUND:
            yield noun + stem + "ない"


def tokenize(text: str) -> list[str]:
    """Content words (orthBase) of one normalized document, in order, then its compound nouns and negated
    predicates (phrases a theme is named with; they count as words for c-TF-IDF and FAQ matching too)."""
    if not text:
        return []
    text = _PLACEHOLDER.sub(" ", text)
    out: list[str] = []
    for piece in split_long(text):
        morphs = _morphemes(piece)
        out += _merge_katakana(_content_words(morphs))
        out += _compounds(morphs)
        out += _negated_predicates(morphs)
    return out


def plain_negatives(text: str) -> list[str]:
    """The negated verbs of `text` in plain form (動きません -> 動かない, つながりません -> つながらない): the cue
    lexicon lists plain forms and reads these beside the sentence (nlp/doctype.py)."""
    return [p for piece in split_long(text) for p in _negated_predicates(_morphemes(piece))]


def tokenize_many(texts: Iterable[str]) -> list[list[str]]:
    return [tokenize(t) for t in texts]
