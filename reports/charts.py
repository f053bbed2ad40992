"""Plotly figure specs as plain JSON-able dicts: the template embeds them with |tojson (HTML-safe) and
draws them with the plotly.js bundled inline, so the page fetches nothing."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from importlib import resources

import plotly.graph_objects as go

from reports.notes import TYPE_NAMES

_COLORS = {"complaint": "#d9480f", "question": "#1971c2", "request": "#2f9e44", "praise": "#f08c00", "other": "#868e96"}


BASIC_BUNDLE = "static/plotly-basic.min.js"  # scatter and bar only: reports/static/README.md


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.js's basic bundle (1.2 MB; the full one plotly.py ships is 4.6 MB and every report inlines it)."""
    return resources.files("reports").joinpath(BASIC_BUNDLE).read_text(encoding="utf-8")


def _spec(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())


def _week_labels(weeks: list[date]) -> list[str]:
    return [f"{w.month}/{w.day}週" for w in weeks]


def topic_trend(weeks: list[date], counts: list[int]) -> dict:
    """Small bar chart of one topic's weekly counts; the reported week highlighted."""
    colors = ["#adb5bd"] * (len(counts) - 1) + ["#d9480f"]
    fig = go.Figure(
        go.Bar(x=_week_labels(weeks), y=counts, marker_color=colors, hovertemplate="%{x}: %{y}件<extra></extra>")
    )
    fig.update_layout(
        height=140,
        margin=dict(l=30, r=10, t=10, b=30),
        showlegend=False,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font=dict(size=10),
    )
    return _spec(fig)


def type_trend(weeks: list[date], by_type: dict[str, list[int]]) -> dict:
    fig = go.Figure(
        [
            go.Scatter(
                x=_week_labels(weeks),
                y=counts,
                name=TYPE_NAMES.get(t, t),
                mode="lines+markers",
                line=dict(color=_COLORS.get(t)),
            )
            for t, counts in by_type.items()
        ]
    )
    fig.update_layout(
        height=280,
        margin=dict(l=40, r=10, t=10, b=40),
        legend=dict(orientation="h"),
        paper_bgcolor="rgba(0,0,0,0)",
        yaxis_title="件数",
    )
    return _spec(fig)


def daily_timeline(days: list[date], counts: list[int], marker_day: date, marker_label: str) -> dict:
    """Daily complaint counts of one topic with the release day marked."""
    fig = go.Figure(
        go.Bar(
            x=[d.isoformat() for d in days],
            y=counts,
            marker_color=["#adb5bd" if d < marker_day else "#d9480f" for d in days],
            hovertemplate="%{x}: %{y}件<extra></extra>",
        )
    )
    fig.add_vline(x=marker_day.isoformat(), line_dash="dash", line_color="#c92a2a")
    fig.add_annotation(
        x=marker_day.isoformat(),
        y=1,
        yref="paper",
        text=marker_label,
        showarrow=False,
        xanchor="left",
        font=dict(color="#c92a2a", size=11),
    )
    fig.update_layout(
        height=170,
        margin=dict(l=30, r=10, t=16, b=30),
        showlegend=False,
        bargap=0.1,
        xaxis=dict(tickformat="%-m/%-d"),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font=dict(size=10),
    )
    return _spec(fig)
