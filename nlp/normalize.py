"""Text normalization for Japanese customer messages.

Every document goes through `normalize_text` before it is redacted, stored, tokenized or embedded, so
that full-width/half-width variants (ＡＢＣ１２３, ｶﾀｶﾅ) count as one word and mail clutter (quoted
replies, signatures, HTML) does not end up in topics.
"""

from __future__ import annotations

import re
import unicodedata

from bs4 import BeautifulSoup

# Lines that start a quoted earlier message; everything from here on is the thread, not the customer.
_REPLY_HEADERS = re.compile(
    r"^(?:"
    r"-{2,}\s*(?:Original Message|元のメッセージ|転送メッセージ|Forwarded message)\s*-{2,}"
    r"|On .{4,200} wrote:"
    r"|\d{4}年\d{1,2}月\d{1,2}日.{0,40}(?:\d{1,2}:\d{2}).{0,120}(?:wrote|書きました|のメッセージ)\s*:?"
    r"|\d{4}/\d{1,2}/\d{1,2}.{0,60}(?:wrote|書きました)\s*:?"
    r"|\d{4}[年/]\d{1,2}[月/]\d{1,2}日?.{0,40}\d{1,2}:\d{2}.{0,120}<[^<>\s]+@[^<>\s]+>\s*:"  # Gmail (ja)
    r")\s*$",
    re.MULTILINE,
)
_QUOTED_LINE = re.compile(r"^\s*(?:>|＞).*$\n?", re.MULTILINE)
# A signature starts at "-- " or at a rule line (───, ＝＝＝, ****) in the last few lines of a message.
_SIGNATURE_RULE = re.compile(r"^(?:-- ?|[-=＝━─―—–_*〓~～]{4,}.*)$")
_SIGNATURE_MAX_LINES = 10
_HTML_HINT = re.compile(r"<(?:html|body|div|p|br|table|span|font)\b", re.IGNORECASE)
# Set phrases of Japanese business messages. They open and close most tickets, carry no complaint, and
# made USE embeddings group the demo's tickets by greeting instead of by problem.
_COURTESY_SENTENCE = re.compile(
    r"^(?:"
    r"(?:いつも)?お世話に(?:なっております|なります|なっています)"
    r"|いつも(?:ご)?利用させて(?:いただいて|頂いて)(?:います|おります)"
    r"|こんにちは|こんばんは|はじめまして|初めまして|突然の(?:ご連絡|メール)失礼(?:いたします|します)"
    r"|(?:以上[、,]?\s*)?(?:どうぞ|何卒|なにとぞ)?(?:よろしく|宜しく)お願い(?:いたします|致します|します|申し上げます)"
    r"|(?:お手数ですが[、,]?)?(?:ご確認|ご対応|ご回答|ご返信|ご連絡|確認|対応)(?:の程|のほど)?(?:を)?(?:よろしく)?お願い(?:いたします|致します|します)"
    r"|(?:早め|至急|早急)(?:の)?(?:ご)?(?:対応|回答|返信|連絡)?(?:を)?お願い(?:いたします|致します|します)"
    r")[。.!！]*$"
)
_COURTESY_PREFIX = re.compile(
    r"^(?:すみません|すいません|恐れ入りますが|お忙しいところ(?:恐れ入りますが|すみませんが))[、,]\s*"
)
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def looks_like_html(text: str) -> bool:
    """True for mail bodies that are HTML documents rather than text mentioning a tag."""
    return bool(_HTML_HINT.search(text))


def html_to_text(html: str) -> str:
    """Visible text of an HTML mail body; script and style content is dropped, never kept."""
    soup = BeautifulSoup(html, "html.parser")
    for node in soup(["script", "style", "head", "title"]):
        node.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    return soup.get_text("\n")


def strip_quoted_reply(text: str) -> str:
    """Drop the quoted thread below a reply header and any '>' quoted lines."""
    match = _REPLY_HEADERS.search(text)
    if match:
        text = text[: match.start()]
    return _QUOTED_LINE.sub("", text)


def strip_signature(text: str) -> str:
    """Cut a trailing signature block (rule line near the end of the message)."""
    lines = text.rstrip().split("\n")
    start = max(1, len(lines) - _SIGNATURE_MAX_LINES)
    for i in range(start, len(lines)):
        if _SIGNATURE_RULE.match(lines[i].strip()):
            return "\n".join(lines[:i])
    return text


def strip_courtesy(text: str) -> str:
    """Drop greeting and closing set phrases (お世話になっております, よろしくお願いいたします); the
    message itself is kept, and a message that is nothing but courtesy stays as it was."""
    lines = []
    for line in text.split("\n"):
        if not line.strip():
            lines.append("")  # paragraph breaks stay
            continue
        kept = [
            core
            for sentence in _SENTENCE_END.split(line)
            if (core := _COURTESY_PREFIX.sub("", sentence.strip())) and not _COURTESY_SENTENCE.match(core)
        ]
        if kept:
            lines.append("".join(kept))
    out = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return out or text


def collapse_whitespace(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def normalize_text(text: str, *, html: bool = False, mail: bool = False, courtesy: bool = True) -> str:
    """NFKC, whitespace and (by default) greeting/closing set phrases; for mail also HTML to text,
    quoted replies and signature removed.

    `html` converts only when the body really is an HTML document: a chat message quoting a
    `<script>` tag stays text (and is escaped when shown).
    """
    if not text:
        return ""
    if html and looks_like_html(text):
        text = html_to_text(text)
    text = unicodedata.normalize("NFKC", text)
    if mail:
        text = strip_signature(strip_quoted_reply(collapse_whitespace(text)))
    text = collapse_whitespace(text)
    return strip_courtesy(text) if courtesy else text
