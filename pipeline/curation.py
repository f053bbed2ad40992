"""`koe themes list/rename/merge`: a lead reads the last weekly run's themes and renames or merges them;
the decisions are stored by stable theme id (nlp/lineage.py) and every later run shows them
(nlp/curation.py, applied in pipeline.modelling)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from nlp import columns as C
from nlp.curation import curated
from pipeline.config import RunKind
from store import repo
from store.db import session_scope

MAX_NAME = 60  # characters: a theme name is a heading, not a description


class CurationError(ValueError):
    """The decision cannot be recorded as asked (unknown theme, empty name, a theme merged into itself)."""


@dataclass(frozen=True)
class ThemeLine:
    theme_id: int
    name: str  # as the reports show it
    fitted_name: str  # as the model named it
    size: int  # messages in the last weekly run's window
    n_subtopics: int
    merged_into: int | None


def list_themes(engine: Engine) -> list[ThemeLine]:
    """The last weekly run's themes, largest first, each with its shown and fitted name; themes merged
    into another are listed with their target (and counted there too)."""
    with session_scope(engine) as session:
        run = repo.latest_run(session, RunKind.WEEKLY)
        if run is None:
            return []
        themes = repo.run_themes(session, run.id)
        curation = repo.theme_curation(session)
    shown = curated(themes, curation).set_index(C.THEME_ID)
    lines = []
    for row in themes.to_dict("records"):
        theme_id = int(row[C.THEME_ID])
        target = curation.target(theme_id)
        lines.append(
            ThemeLine(
                theme_id,
                str(shown.loc[target, C.LABEL]),
                str(row[C.LABEL]),
                int(row[C.SIZE]),
                len(row[C.SUBTOPICS]),
                target if target != theme_id else None,
            )
        )
    return lines


def _known(engine: Engine, theme_id: int) -> None:
    known = {line.theme_id for line in list_themes(engine)}
    if theme_id not in known:
        listed = ", ".join(str(t) for t in sorted(known)) or "none: run koe weekly first"
        raise CurationError(f"no theme {theme_id} in the last weekly run (themes: {listed})")


def rename_theme(engine: Engine, theme_id: int, name: str) -> None:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise CurationError(f"a theme name has 1 to {MAX_NAME} characters")
    _known(engine, theme_id)
    with session_scope(engine) as session:
        repo.curate_theme(session, theme_id, name=name)


def merge_themes(engine: Engine, theme_id: int, into: int) -> None:
    """Show theme `theme_id` as part of theme `into` from now on (both of the last weekly run)."""
    _known(engine, theme_id)
    _known(engine, into)
    with session_scope(engine) as session:
        if repo.theme_curation(session).target(into) == theme_id or theme_id == into:
            raise CurationError(f"theme {into} is (merged into) theme {theme_id}: a theme cannot be merged into itself")
        repo.curate_theme(session, theme_id, merged_into=into)
