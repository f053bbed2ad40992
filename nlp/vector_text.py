"""The text a message is embedded by (for its topic, its theme and its FAQ match): what it is about, not
which product it names or which contact details it carries. The stored text and its tokens stay as they
were; the vector is of this text, and quotes leave the detail-only sentences out too (below).

- Its own product's name becomes 商品: the demo's 「{商品}を注文してから5日経ちますが、まだ届きません」 came
  out as four subtopics split by product (「期待：届かない（注文）/（2）/（3）」, one under the damage theme),
  and one 同梱 request as four FAQ suggestions. On the demo window (`koe eval demo-themes`: 3,177 messages,
  tickets matched to the generator's templates) the subtopics' ARI against the templates rose from 0.844
  to 0.913 (complaints 0.829 -> 0.896). The products are not lost: each theme has its product breakdown.
- A sentence that only carries redacted details (「連絡先は <EMAIL> です。」「カード番号 <CARD> で支払いました。」)
  is left out when a sentence without a placeholder remains: on the demo 「配送先を実家に変更してください。」
  matches its FAQ entry at 0.49 and the same request with a card number appended at 0.43, under the 0.44
  line, so two such messages were proposed as a missing FAQ entry. Quotes leave such sentences out too
  (distinct_quotes): the demo's delivery theme was quoted 「…分からないと言われました。<ORDER> です。」.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from nlp.columns import PRODUCT

if TYPE_CHECKING:
    import pandas as pd

PRODUCT_STAND_IN = "商品"
PLACEHOLDER = re.compile(r"<[A-Z_]+>")  # nlp.pii's typed placeholders: <EMAIL>, <CARD>, <ORDER> ...
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def without_details(text: str) -> str:
    """`text` without the sentences that hold a redaction placeholder, when another sentence remains."""
    if not PLACEHOLDER.search(text):
        return text
    sentences = _SENTENCE.findall(text)
    kept = [s for s in sentences if not PLACEHOLDER.search(s)]
    return "".join(kept).strip() if any(s.strip() for s in kept) else text


# Two quotes this alike (Jaccard of their character bigrams, products as 商品) say the same thing: the demo's
# 「返金の処理状況を教えてください。1週間待っています…」 and 「…2週間待っています…」 score 0.89, its
# 「靴のサイズが合わず、{商品}を交換したいです。」 1.0; two intents sharing a phrase (「…反映されず、まだ届いて
# いない」, 「カートに…反映されず、注文できません」) 0.17.
_SAME_GIST = 0.6


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(max(len(text) - 1, 1)))


def distinct_quotes(texts: Iterable[str], products: Iterable[object] | None = None, n: int | None = None) -> list[str]:
    """The first `n` of `texts` (all when None), in order, without their detail-only sentences, leaving out
    a text that says what an earlier one said (same text but for its product, its numbers, a word or two):
    a CS lead reading five quotes of one templated request learns nothing from the last four (the demo's
    同梱 suggestion quoted 「{商品}を追加で1つ同梱していただきたいです」 five times, one per product; its
    FAQ CSV once quoted one wrapping request twice, the second with 「カード番号 <CARD> で支払いました。」)."""
    products = products if products is not None else itertools.repeat(None)
    kept: list[str] = []
    seen: list[frozenset[str]] = []
    for text, product in zip(texts, products, strict=False):  # products: repeat(None) when not given
        if n is not None and len(kept) >= n:
            break
        quote = without_details(text)
        gist = _bigrams(_product_free(quote, product))
        if any(len(gist & other) >= _SAME_GIST * len(gist | other) for other in seen):
            continue
        kept.append(quote)
        seen.append(gist)
    return kept


def embedded_texts(texts: Sequence[str], products: Sequence[object]) -> list[str]:
    """Each text as it is embedded: without detail-only sentences, its own product's name (`products[i]`,
    from the record; names under two characters left alone) replaced by 商品."""
    return [_product_free(without_details(t), p) for t, p in zip(texts, products, strict=True)]


def _product_free(text: str, product: object) -> str:
    return text.replace(product, PRODUCT_STAND_IN) if isinstance(product, str) and len(product) >= 2 else text


def products_of(frame: pd.DataFrame) -> list[object]:
    """Each row's product (columns.PRODUCT), None for all when the frame has no such column."""
    return frame[PRODUCT].tolist() if PRODUCT in frame.columns else [None] * len(frame)
