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

import re
from collections.abc import Iterable, Sequence

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


def distinct_quotes(texts: Iterable[str]) -> list[str]:
    """`texts` in order without their detail-only sentences, each once (the demo's FAQ CSV quoted one wrapping
    request twice, the second time with 「カード番号 <CARD> で支払いました。」 after it)."""
    return list(dict.fromkeys(without_details(t) for t in texts))


def embedded_texts(texts: Sequence[str], products: Sequence[object]) -> list[str]:
    """Each text as it is embedded: without detail-only sentences, its own product's name (`products[i]`,
    from the record; names under two characters left alone) replaced by 商品."""
    out = []
    for text, product in zip(texts, products, strict=True):
        text = without_details(text)
        out.append(text.replace(product, PRODUCT_STAND_IN) if isinstance(product, str) and len(product) >= 2 else text)
    return out
