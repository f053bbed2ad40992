"""Seconds per named stage of a pipeline run: the bench passes `Stages.hooks(prefix)` to the very pipeline
functions the flows call (pipeline.weekly.analyse_week ...), so it measures the product's code, not a copy."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.hooks import Hooks


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Stages:
    """Seconds and items per named stage; a stage timed twice (a refit after the drift test) adds up."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.items: dict[str, int] = {}

    @contextmanager
    def time(self, name: str, items: int = 0) -> Iterator[None]:
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
        self.seconds[name] = round(self.seconds.get(name, 0.0) + seconds, 2)
        self.items[name] = self.items.get(name, 0) + items
        rate = f"{items / seconds:,.0f} docs/s" if items and seconds >= 0.01 else ""
        print(f"{name:<26} {seconds:>8.2f} s  {rate:>16}  peak RSS {peak_rss_mb():,.0f} MB", flush=True)

    def hooks(self, prefix: str = "") -> Hooks:
        """Pipeline hooks that time every stage as `prefix` + its name."""
        return Hooks(stage=lambda name, items=0: self.time(prefix + name, items), progress=lambda *_: None)

    def total(self, prefix: str) -> float:
        return round(sum(v for k, v in self.seconds.items() if k.startswith(prefix)), 2)
