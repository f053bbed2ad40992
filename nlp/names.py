"""Names a Japanese product manager would write for a topic or theme, built from its ranked c-TF-IDF words:
the noun phrase it is about and the predicate that makes it a complaint, 「追跡番号：反映されない」, rather
than three short-unit words 「調べる・追跡・番号」 (issue #13).

The tokenizer (nlp/tokenize.py) adds compound nouns (追跡番号, 領収書) and negated predicates in plain form
(届かない, ログインできない) to the words, so both can rank. Product names go to a product breakdown, not
into names: `exclude` holds the window's product names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

_HIRAGANA_END = re.compile(r"[ぁ-ゖ]$")
_ALL_HIRAGANA = re.compile(r"^[ぁ-ゖ]+$")
_ASCII = re.compile(r"^[\x00-\x7f]+$")
NAME_WORDS = 12  # a name is picked from this many of the best-ranked words
MAX_KEYWORDS = 10


def _is_noun(word: str) -> bool:
    """Verbs and adjectives end in kana (届く, 小さい); nouns and compounds rarely do."""
    return not _HIRAGANA_END.search(word)


def _is_predicate(word: str) -> bool:
    return word.endswith("ない") and len(word) >= 3


def _specific(predicate: str) -> bool:
    return not _ALL_HIRAGANA.match(predicate)


@lru_cache(maxsize=4096)
def _is_complaint_adjective(word: str) -> bool:
    """An adjective the cue lexicon counts as a complaint (遅い, 狭い, 分かりにくい): on asdc's requests any
    adjective named topics 「薄味：濃い」 and 「出発：早い」, and on the demo 「サイズ感：大きい」 too."""
    if not word.endswith("い") or _is_predicate(word):
        return False
    return _is_complaint_word(word) and _one_word(word, "形容詞")


def _one_word(word: str, pos: str) -> bool:
    """UniDic reads `word` as one word of part of speech `pos`, its own lemma."""
    from nlp.tokenize import lemma_words

    return lemma_words(word) == [f"{word}/{pos}"]


# (noun phrase, predicate) -> whether the two stand in one message of the group often enough to be named
# together; None: not known (a theme spreads its words over its subtopics: 発送予定日 and 届かない are
# its words without one message holding both)
Together = Callable[[str, str], bool]


def usable(words: Iterable[str], exclude: Sequence[str] = ()) -> list[str]:
    """Words that may stand in a name or keyword list: no product-name words, no bare ASCII (model numbers,
    leftover markup), no digits."""
    products = [re.sub(r"\s+", "", p) for p in exclude]  # 「羽毛布団 シングル」 tokenizes to 羽毛布団シングル
    return [
        w
        for w in words
        if w and not _ASCII.match(w) and not any(ch.isdigit() for ch in w) and not any(w in p for p in products)
    ]


def keywords(words: Sequence[str], exclude: Sequence[str] = (), n: int = MAX_KEYWORDS) -> list[str]:
    """The best-ranked usable words, a part left out when a phrase holding it is shown (追跡番号, not 追跡)."""
    ranked = usable(words, exclude)
    shown = [w for w in ranked if not any(w != o and w in o for o in ranked[: n * 2])]
    return shown[:n]


def name(
    words: Sequence[str],
    exclude: Sequence[str] = (),
    fallback: str = "",
    predicate_words: int = NAME_WORDS,
    together: Together | None = None,
    pair_together: Together | None = None,
) -> str:
    """「<noun phrase>：<predicate>」 (ポイント：付与されない, 追跡番号：反映されない), the predicate alone when
    it holds the only noun (ログインできない), or the two best noun phrases 「領収書・発行」; `fallback` when no
    word is usable. The colon, not が: which noun is the subject is not in the words (パスワード再設定 is
    no subject of ログインできない). The predicate may rank lower than the nouns (`predicate_words`): a theme
    spreads its words over several subtopics. A negated predicate (届かない) comes first; else an adjective
    of complaint among the top words (到着：遅い). With `together`, a predicate must stand with the noun
    phrase in the group's messages: the demo's 「表記より明らかに小さいです」 was named 「表記：使えない」."""
    ranked = usable(words, exclude)
    # further down only a predicate with a stem a reader recognises: 届かない, not とらない (asdc: テラス席)
    negated = [
        w for i, w in enumerate(ranked[:predicate_words]) if _is_predicate(w) and (i < NAME_WORDS or _specific(w))
    ]
    # adjectives only where they can be checked against the messages: asdc's theme of terraces and covid
    # would be 「テラス席：怖い」
    adjectives = [w for w in ranked[:NAME_WORDS] if together is not None and _is_complaint_adjective(w)]
    phrases = _phrases(ranked, [*negated, *adjectives])
    if phrases:
        for predicate in [*negated, *adjectives]:
            head = _phrases(ranked, [predicate])[0]  # phrases holds none inside any predicate: never empty
            if together is None or together(head, predicate):
                return f"{head}：{predicate}"
        pair = _said_together(phrases, pair_together)
        verdict = _verdict_noun(pair, together)
        if verdict:  # 「品質：不満」, not 「不満・品質」
            return f"{next(p for p in pair if p != verdict)}：{verdict}"
        return "・".join(pair)
    if negated:
        return negated[0]
    return "・".join(ranked[:2]) or fallback


def _said_together(phrases: Sequence[str], together: Together | None) -> list[str]:
    """The best phrase and the next one its messages say with it (the demo's theme of address, colour and
    delivery-date changes was 「変更・北海道」: 北海道 is one subtopic's, 送料・北海道); the best two without a
    check or when none stands with the first."""
    if together is None or len(phrases) < 2:
        return list(phrases[:2])
    second = next((p for p in phrases[1:] if together(phrases[0], p)), None)
    return [phrases[0], second] if second else list(phrases[:2])


def _verdict_noun(pair: Sequence[str], together: Together | None) -> str | None:
    """The one of two noun phrases that is the complaint itself (不満, 破損, 残念: a cue of the lexicon) and
    stands with the other in the messages; only where that can be checked (subtopics)."""
    if together is None or len(pair) != 2:
        return None
    verdicts = [p for p in pair if _is_complaint_word(p) or _is_complaint_stem(p)]
    if len(verdicts) != 1:
        return None
    other = pair[1] if verdicts[0] == pair[0] else pair[0]
    return verdicts[0] if together(other, verdicts[0]) else None


@lru_cache(maxsize=4096)
def _is_complaint_stem(word: str) -> bool:
    """A 形状詞 the lexicon lists only with its copula (雑で, 雑な): 「梱包が雑で」 tokenizes to 梱包 + 雑, and
    the demo's subtopic was named 「雑・梱包」."""
    return _one_word(word, "形状詞") and _is_complaint_word(f"{word}で")


@lru_cache(maxsize=4096)
def _is_complaint_word(word: str) -> bool:
    from nlp.columns import DocType
    from nlp.doctype import cue_scores

    scores = cue_scores(word)
    return scores[DocType.COMPLAINT] > 0 and scores[DocType.PRAISE] == 0


def _phrases(ranked: Sequence[str], predicates: Sequence[str]) -> list[str]:
    """The noun phrases of the top words, best first, none of them inside one of `predicates`."""
    nouns = [w for w in ranked if _is_noun(w) and not any(w in p for p in predicates)]
    # a phrase that holds a top noun is the better name for it: 追跡番号 over 番号
    top = ranked[:NAME_WORDS]
    phrases: list[str] = []
    for noun in (w for w in nouns if w in top):
        longer = [o for o in nouns if noun in o and o != noun]
        # the best-ranked phrase no longer one holds: 設定 -> パスワード再設定, not the 再設定 inside it
        widest = [o for o in longer if not any(o != x and o in x for x in longer)]
        phrase = widest[0] if widest else noun
        if phrase not in phrases and not any(phrase in p for p in phrases):
            phrases.append(phrase)
    return phrases


def distinct_names(
    ranked_words: Sequence[Sequence[str]],
    exclude: Sequence[str] = (),
    prefix: str = "トピック",
    predicate_words: int = NAME_WORDS,
    together: Sequence[Together] | None = None,
    pair_together: Sequence[Together] | None = None,
) -> list[str]:
    """One name per group (`ranked_words[i]`: group i's ranked words; `together[i]`: its co-occurrence
    check), the same name told apart by the group's next noun phrase that no other group of that name took:
    「商品：届かない（追跡番号）」; a group with none left is numbered (the demo had two 「予定日：分からない
    （配送業者）」)."""
    checks = list(together) if together is not None else [None] * len(ranked_words)
    pairs = list(pair_together) if pair_together is not None else [None] * len(ranked_words)
    names = [
        name(words, exclude, f"{prefix}{i}", predicate_words, check, pair)
        for i, (words, check, pair) in enumerate(zip(ranked_words, checks, pairs, strict=True))
    ]
    seen = Counter(names)
    taken: set[str] = set(names)
    out = []
    for base, words in zip(names, ranked_words, strict=True):
        if seen[base] > 1:
            nouns = (w for w in keywords(words, exclude) if _is_noun(w) and w not in base)
            told_apart = next((f"{base}（{w}）" for w in nouns if f"{base}（{w}）" not in taken), None)
            n = 2
            while told_apart is None:
                told_apart = f"{base}（{n}）" if f"{base}（{n}）" not in taken else None
                n += 1
            taken.add(told_apart)
            base = told_apart
        out.append(base)
    return out
