"""jinja2 rendering with autoescape always on and StrictUndefined: customer text is untrusted, and a
template typo must fail loudly rather than print an empty cell."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,  # every template, whatever its file name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v, digits=1: "—" if v is None else f"{v * 100:.{digits}f}%"
    env.filters["signed"] = lambda v: "—" if v is None else f"{v:+d}"
    env.filters["signed_pct"] = lambda v: "—" if v is None else f"{v * 100:+.0f}%"
    return env


def render(template: str, context: dict) -> str:
    return environment().get_template(template).render(**context)


def write(template: str, context: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(template, context), encoding="utf-8")
    return path
