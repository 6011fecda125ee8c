"""The Corpus tab: a searchable table, papers per year by category, the topic map, the
co-author network and what is new since a date. Figures are built from the facade's data
when the page loads, never baked in advance. Hover texts are escaped: Plotly renders a
small HTML subset in them.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import plotly.graph_objects as go

from assistant import Assistant, PaperchatError
from ui.render import card_html, esc

TABLE_COLUMNS = ["Year", "Title", "Authors", "Venue", "Category", "Code", "Id"]


def paper_table(assistant: Assistant) -> list[list[Any]]:
    rows = []
    for p in sorted(assistant.papers, key=lambda p: (-(p.year or 0), p.title)):
        authors = ", ".join(p.authors[:4]) + (" et al." if len(p.authors) > 4 else "")
        code = "yes" if p.has_code else ""
        rows.append([p.year, p.title, authors, p.venue or "", p.category_name, code, p.id])
    return rows


def per_year_figure(assistant: Assistant) -> go.Figure:
    stats = assistant.corpus_stats()
    years = sorted(stats.per_year)
    categories = sorted({c for counts in stats.per_year.values() for c in counts})
    fig = go.Figure()
    for category in categories:
        fig.add_bar(
            name=esc(category),
            x=years,
            y=[stats.per_year[y].get(category, 0) for y in years],
            hovertemplate="%{x}: %{y} paper(s)<extra>" + esc(category) + "</extra>",
        )
    fig.update_layout(
        barmode="stack",
        title="Papers per year, by category",
        xaxis={"title": "Year", "dtick": 1},
        yaxis={"title": "Papers"},
        height=380,
        margin={"l": 40, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def topic_map_figure(assistant: Assistant) -> go.Figure:
    """One point per paper, coloured by theme; the point's customdata is the paper id
    (the page's script reads it on click to open the card)."""
    points = assistant.paper_map()
    fig = go.Figure()
    for theme in sorted({p.theme for p in points}):
        mine = [p for p in points if p.theme == theme]
        fig.add_scatter(
            x=[p.x for p in mine],
            y=[p.y for p in mine],
            mode="markers",
            name=esc(theme),
            marker={"size": 11, "opacity": 0.85},
            customdata=[p.id for p in mine],
            text=[f"{esc(p.title)} ({p.year or 'n.d.'})" for p in mine],
            hovertemplate="%{text}<extra>" + esc(theme) + "</extra>",
        )
    fig.update_layout(
        title="Topic map: abstracts' embeddings in 2-D (PCA), coloured by theme",
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=460,
        hovermode="closest",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.05},
    )
    return fig


def coauthor_figure(assistant: Assistant) -> go.Figure:
    """The owner at the centre, the top co-authors on a circle, edges for shared papers."""
    stats = assistant.corpus_stats()
    names = [a for a, _ in stats.coauthors]
    pos: dict[str, tuple[float, float]] = {}
    if stats.owner:
        pos[stats.owner] = (0.0, 0.0)
    for i, name in enumerate(names):
        angle = 2 * math.pi * i / max(1, len(names))
        pos[name] = (math.cos(angle), math.sin(angle))
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b, _ in stats.edges:
        if a in pos and b in pos:
            xs += [pos[a][0], pos[b][0], None]
            ys += [pos[a][1], pos[b][1], None]
    fig = go.Figure()
    fig.add_scatter(x=xs, y=ys, mode="lines", line={"width": 1, "color": "#bbb"}, hoverinfo="skip")
    counts = dict(stats.coauthors)
    labels = list(pos)
    fig.add_scatter(
        x=[pos[n][0] for n in labels],
        y=[pos[n][1] for n in labels],
        mode="markers+text",
        text=[esc(n) for n in labels],
        textposition="top center",
        marker={"size": [22 if n == stats.owner else 8 + 3 * counts.get(n, 1) for n in labels]},
        hovertext=[
            f"{esc(n)}: {counts[n]} shared paper(s)" if n in counts else esc(n) for n in labels
        ],
        hoverinfo="text",
    )
    fig.update_layout(
        title=f"Top {len(names)} co-authors",
        showlegend=False,
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=460,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def paper_card(assistant: Assistant, paper_id: str) -> str:
    """The card for a paper picked on the map or in the table."""
    paper = assistant.get_paper((paper_id or "").strip())
    if paper is None:
        return '<div class="pc-empty">Click a point on the map or a row of the table.</div>'
    return card_html(paper, turn=-1, key=None, label="paper", marks={})


def whats_new(assistant: Assistant, since: str) -> str:
    """Papers published on or after `since` (YYYY-MM-DD, YYYY-MM or YYYY)."""
    text = (since or "").strip()
    try:
        parts = [int(x) for x in text.split("-")] if text else []
        day = date(*(parts + [1, 1][len(parts) - 1 :])) if 1 <= len(parts) <= 3 else None
    except ValueError:
        day = None
    if day is None:
        raise PaperchatError(f"{text!r} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")
    papers = assistant.papers_since(day)
    if not papers:
        return f'<div class="pc-empty">Nothing published since {day.isoformat()}.</div>'
    items = "".join(
        f"<li><b>{esc(p.published.isoformat() if p.published else str(p.year))}</b> "
        f"{esc(p.title)}</li>"
        for p in papers
    )
    return f"<p>{len(papers)} paper(s) since {day.isoformat()}:</p><ul>{items}</ul>"
