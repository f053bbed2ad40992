"""Review exports with column-mapping presets for the layouts Japanese shops download.

A preset maps the export's own column names onto koe's fields; columns a given export lacks are skipped,
the body column is required. Ratings become 1-5 (sources.parse.parse_rating: 4, ★★★★☆, 4点, 5つ星のうち4.0);
product names and product ids are both kept. Columns with personal data (order numbers, nicknames,
prefectures) are deliberately not mapped: they never reach the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from sources.base import Batch, PullContext, Sink, SourceConfig
from sources.files import FileReadResult, read_chunks, read_file
from sources.records import SourceError, shown_columns

PRESETS: dict[str, dict[str, str]] = {
    # 楽天市場 RMS「レビュー一覧」CSV download (column names as RMS writes them; no id column: the review
    # page's URL identifies a review)
    "rakuten": {
        "レビュー詳細URL": "id",
        "投稿時間": "created_at",
        "商品名": "product",
        "商品管理番号": "product_id",
        "評価": "rating",
        "タイトル": "title",
        "レビュー本文": "body",
    },
    # futureshop レビューデータCSV (manual.future-shop.jp/regist/download-review)
    "futureshop": {
        "レビューID": "id",
        "投稿日": "created_at",
        "商品番号(投稿時)": "product_id",
        "商品名(投稿時)": "product",
        "おすすめ度区分": "rating",
        "内容": "body",
    },
    # anything else: koe's English and Japanese header aliases (sources.files.DEFAULT_ALIASES)
    "generic": {},
}


def preset_mapping(preset: str, header: list[str]) -> dict[str, str]:
    """The preset's column -> field pairs that this export has; SourceError when the body column is missing."""
    if preset not in PRESETS:
        raise SourceError(f"unknown review preset {preset!r}; presets are {', '.join(PRESETS)}")
    mapping = {column: fld for column, fld in PRESETS[preset].items() if column in header}
    wanted = [column for column, fld in PRESETS[preset].items() if fld == "body"]
    if wanted and not any(column in header for column in wanted):
        raise SourceError(f"preset {preset!r} expects a column {wanted[0]!r}; the export has {shown_columns(header)}")
    return mapping


def review_options(preset: str) -> dict:
    """Options for sources.files.read_chunks / read_file that read a review export with `preset`."""
    return {"kind": "review", "mapping_for": lambda header: preset_mapping(preset, header)}


def read_reviews(path: Path | str, *, source: str, preset: str = "generic") -> FileReadResult:
    return read_file(path, source=source, **review_options(preset))


class ReviewExport(SourceConfig):
    """A marketplace review CSV with a column preset (rakuten, futureshop, generic)."""

    type: Literal["reviews"]
    path: Path
    preset: str = "generic"

    def origin(self) -> str:
        return str(self.path)


def pull(spec: ReviewExport, sink: Sink, context: PullContext) -> None:
    for chunk in read_chunks(spec.path, source=spec.source, **review_options(spec.preset)):
        sink.store(Batch(chunk.records, chunk.rejects))


CONFIG = ReviewExport
