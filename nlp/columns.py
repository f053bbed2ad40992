"""Column names of the DataFrames that cross module boundaries, defined once.

`DOC_COLUMNS` is what the store hands to nlp (one row per stored document); `TOPIC_COLUMNS` is what
topic modelling hands back per topic.
"""

from __future__ import annotations

from enum import StrEnum

# documents
ID = "id"
SOURCE = "source"
KIND = "kind"  # ticket | review
CHANNEL = "channel"  # mail | chat | line | form | review site ...
PRODUCT = "product"
PRODUCT_ID = "product_id"
CREATED_AT = "created_at"  # naive Asia/Tokyo wall time
TITLE = "title"
TEXT = "text"  # normalized, PII-redacted body
AGENT_REPLY = "agent_reply"
RATING = "rating"
DOC_TYPE = "doc_type"  # complaint | question | request | praise | other
TYPED_BY = "typed_by"  # nlp.doctype.Typer.version of the typer that gave doc_type
TEXT_HASH = "text_hash"  # sha256 of the analysed text: the key of the token and embedding caches

DOC_COLUMNS = (
    ID, SOURCE, KIND, CHANNEL, PRODUCT, PRODUCT_ID, CREATED_AT, TITLE, TEXT, AGENT_REPLY, RATING, DOC_TYPE, TEXT_HASH
)  # fmt: skip

# per-document analysis results
TOPIC = "topic"  # -1 = outlier
WEEK = "week"  # Monday of the Asia/Tokyo week

# per-topic results
TOPIC_ID = "topic_id"
LABEL = "label"
KEYWORDS = "keywords"
REPRESENTATIVE = "representative"
SIZE = "size"

TOPIC_COLUMNS = (TOPIC_ID, LABEL, KEYWORDS, REPRESENTATIVE, SIZE)

# per-theme results: the reading level above the topics (nlp/themes.py)
THEME_ID = "theme_id"
SUBTOPICS = "subtopics"  # topic ids under the theme, largest first
THEME_COLUMNS = (THEME_ID, LABEL, KEYWORDS, SIZE, SUBTOPICS)

KINDS = ("ticket", "review")


class DocType(StrEnum):
    """What a customer message is (nlp.doctype); stored as its value in `documents.doc_type`."""

    COMPLAINT = "complaint"
    QUESTION = "question"
    REQUEST = "request"
    PRAISE = "praise"
    OTHER = "other"


# `documents.doc_type` of a message stored and not typed yet (typed_by NULL): ingest stores, the first
# report over its window types it with the store's typer of that day (pipeline/retype.py), so a message
# is typed once, by the typer that reads it, not once at ingest and again when a shop model appears.
UNTYPED = "untyped"
