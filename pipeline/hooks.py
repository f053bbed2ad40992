"""How a caller watches a pipeline run without the pipeline knowing who watches: a stage timer and a
progress callback. The flows pass hooks that log to Prefect's run logger and update a progress artifact;
the bench passes one that records seconds per stage; the default logs through stdlib logging."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

# stage name, items it works on -> a context manager around the stage's work
StageTimer = Callable[[str, int], AbstractContextManager[None]]
# what, done, total
Progress = Callable[[str, int, int], None]


def timed_stages(logger: logging.Logger | logging.LoggerAdapter) -> StageTimer:
    """A stage timer that logs each stage's items and seconds at INFO."""

    @contextmanager
    def stage(name: str, items: int = 0) -> Iterator[None]:
        start = time.perf_counter()
        yield
        count = f"{items:>9,} items" if items else " " * 15
        logger.info("%-16s%s %7.1f s", name, count, time.perf_counter() - start)

    return stage


def logged_progress(logger: logging.Logger | logging.LoggerAdapter) -> Progress:
    def progress(what: str, done: int, total: int) -> None:
        logger.info("%s %d/%d", what, done, total)

    return progress


_LOG = logging.getLogger("koe.pipeline")


@dataclass(frozen=True)
class Hooks:
    stage: StageTimer = field(default=timed_stages(_LOG))
    progress: Progress = field(default=logged_progress(_LOG))


LOGGING_HOOKS = Hooks()
