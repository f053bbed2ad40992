"""CSV files for Excel: UTF-8 with BOM (Excel on Japanese Windows opens it without mojibake), and no cell
of customer text that Excel would run as a formula."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# a cell starting with one of these is a formula to Excel and LibreOffice (OWASP "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that would start a formula gets a leading apostrophe (shown as text, the value intact)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_excel_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    # CRLF as Excel writes it, and so any cell holding a CR or LF is quoted instead of breaking its row
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path
