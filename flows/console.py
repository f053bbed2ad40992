"""What a person at the terminal sees: stage progress (stage, items, elapsed) on stderr, a short summary
at the end, and no library chatter unless `koe --verbose` (bm25s logs every index build at DEBUG,
BERTopic warns about every saved model)."""

from __future__ import annotations

import logging
import sys

PROGRESS = logging.getLogger("koe.progress")  # stage timings and run summaries (flows/tasks.py, flows/weekly.py)


class _Below(logging.Filter):
    """Drops records under `level`: survives the library setting its own logger's level later (bm25s sets
    DEBUG when imported; BERTopic resets WARNING in every constructor)."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.level


class _Terminal(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written (the CLI tested in-process captures it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # not setStream: it flushes the old stream, which may be closed by now
        super().emit(record)


def configure(verbose: bool = False) -> None:
    """Set up the terminal once per `koe` command."""
    if not any(isinstance(h, _Terminal) for h in PROGRESS.handlers):
        handler = _Terminal(sys.stderr)
        handler.setFormatter(logging.Formatter("koe: %(message)s"))
        PROGRESS.addHandler(handler)
    PROGRESS.setLevel(logging.INFO)
    PROGRESS.propagate = False  # Prefect's console handler on the `koe` logger would print every line twice
    if verbose:
        return
    for name, level in (("bm25s", logging.WARNING), ("BERTopic", logging.ERROR)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _Below) for f in logger.filters):
            logger.addFilter(_Below(level))
