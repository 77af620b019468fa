"""The dossier's timeline chart: articles on a time axis, one row per outlet.

Drawn as inline SVG by hand (no plotting library): the dossier must open
offline with no script and under a strict Content-Security-Policy, and a few
dozen shapes do not justify matplotlib's weight. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape


@dataclass(frozen=True, slots=True)
class Mark:
    """One article placed on the chart: when, by whom, in which event."""

    day: date
    outlet: str
    event: str  # event label, shown on hover
    article_id: str
    inferred: bool = False  # the date was inferred, not declared: drawn hollow
    until: date | None = None  # only an interval is known: day .. until
    open_ended: bool = False  # only a lower bound is known: drawn to the right edge


LEFT, RIGHT, TOP, ROW, AXIS = 200, 20, 26, 26, 34
WIDTH = 940
PALETTE = ("#2454a6", "#b5523b", "#3c8d5a", "#8a5fb0", "#c28a1e", "#2b8c9c", "#a33d6d")


def _ticks(first: date, last: date) -> list[date]:
    """Year ticks for spans over two years, else month ticks (at most about 12)."""
    if last.year - first.year >= 2:
        return [date(y, 1, 1) for y in range(first.year, last.year + 2)]
    months = (last.year - first.year) * 12 + last.month - first.month + 2
    step = max(1, months // 12)
    ticks = []
    y, m = first.year, first.month
    for i in range(0, months, step):
        mm = m - 1 + i
        ticks.append(date(y + mm // 12, mm % 12 + 1, 1))
    return ticks


def timeline_svg(marks: Sequence[Mark], events: Sequence[str] = ()) -> str:
    """An SVG of the marks; `events` orders the event colours (first event first)."""
    if not marks:
        return ""
    outlets = sorted({m.outlet for m in marks})
    order = list(dict.fromkeys([*events, *(m.event for m in marks)]))
    colour = {e: PALETTE[i % len(PALETTE)] for i, e in enumerate(order)}
    first = min(m.day for m in marks)
    last = max(max(m.day, m.until or m.day) for m in marks)
    ticks = _ticks(first, last)
    lo, hi = min(first, ticks[0]), max(last, ticks[-1])
    span = max(1, (hi - lo).days)
    plot = WIDTH - LEFT - RIGHT
    height = TOP + ROW * len(outlets) + AXIS

    def x(day: date) -> float:
        return LEFT + plot * (day - lo).days / span

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="articles by outlet over time" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, outlet in enumerate(outlets):
        y = TOP + ROW * i + ROW / 2
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="#e4e7eb"/>')
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4}" text-anchor="end" '
            f'class="outlet">{escape(outlet[:28])}</text>'
        )
    base = TOP + ROW * len(outlets) + 6
    for tick in ticks:
        tx = x(tick)
        label = (
            str(tick.year)
            if tick.month == 1 and len(ticks) > 1 and (ticks[-1].year - ticks[0].year >= 2)
            else tick.strftime("%b %Y")
        )
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{TOP - 6}" y2="{base}" stroke="#eef0f2"/>'
        )
        parts.append(
            f'<text x="{tx:.1f}" y="{base + 16}" text-anchor="middle" '
            f'class="tick">{escape(label)}</text>'
        )
    for m in sorted(marks, key=lambda m: (m.day, m.outlet, m.article_id)):
        cx = x(m.day)
        cy = TOP + ROW * outlets.index(m.outlet) + ROW / 2
        fill = "none" if m.inferred else colour[m.event]
        guess = " (date inferred)" if m.inferred else ""
        if m.until is not None or m.open_ended:
            end = x(m.until) if m.until is not None else WIDTH - RIGHT
            dash = ' stroke-dasharray="4 3"' if m.open_ended else ""
            parts.append(
                f'<line x1="{cx:.1f}" x2="{end:.1f}" y1="{cy:.1f}" y2="{cy:.1f}" '
                f'stroke="{colour[m.event]}" stroke-width="3" opacity=".45"{dash}/>'
            )
            guess = (
                f" to {m.until.isoformat()} (interval inferred)"
                if m.until
                else " or later (inferred lower bound)"
            )
        title = escape(f"{m.day.isoformat()}{guess} · {m.outlet} · {m.event} · {m.article_id}")
        parts.append(
            f'<a href="#a-{escape(m.article_id)}"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" '
            f'fill="{fill}" stroke="{colour[m.event]}" stroke-width="2">'
            f"<title>{title}</title></circle></a>"
        )
    parts.append("</svg>")
    return "".join(parts)
