"""Inline SVG line charts for the pages: geometry only, drawn from mart columns as they are.

No JavaScript and no CDN: the Airflow UI must work offline, and an SVG in the HTML costs
nothing to serve. Values are plotted, never recomputed (the baseline band is dbt's
baseline_mean .. spike_threshold_mentions). Labels are escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 720, 200, 44, 12, 12, 26


def line_chart(days: Sequence[date], series: Sequence[tuple[str, Sequence[float | None], str]], *,
               band: tuple[Sequence[float | None], Sequence[float | None]] | None = None,
               marks: Sequence[bool] | None = None, highlight: date | None = None,
               percent: bool = False, title: str = "") -> Markup:
    """`series`: (label, values, colour); `band`: (lower, upper) per day; `marks`: spike days."""
    n = len(days)
    if n == 0:
        return Markup('<p class="muted">No data in this range.</p>')
    values = [v for _, vals, _ in series for v in vals if v is not None]
    if band:
        values += [v for v in (*band[0], *band[1]) if v is not None]
    top = max(values or [1.0]) or 1.0
    top = top * 1.1 if not percent else min(1.0, top * 1.1) or 1.0

    def x(i: int) -> float:
        return PAD_L + (W - PAD_L - PAD_R) * (i / max(1, n - 1))

    def y(v: float) -> float:
        return PAD_T + (H - PAD_T - PAD_B) * (1 - v / top)

    out = [f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}">']
    if band:
        upper = [(x(i), y(u)) for i, u in enumerate(band[1]) if u is not None and band[0][i] is not None]
        lower = [(x(i), y(band[0][i])) for i, u in enumerate(band[1]) if u is not None and band[0][i] is not None]
        if upper:
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in [*upper, *reversed(lower)])
            out.append(f'<polygon class="band" points="{pts}"><title>baseline band</title></polygon>')
    for frac in (0, 0.5, 1):
        v = top * frac
        label = f"{v:.0%}" if percent else f"{v:.0f}"
        out.append(f'<line class="grid" x1="{PAD_L}" x2="{W - PAD_R}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
                   f'<text class="axis" x="{PAD_L - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{label}</text>')
    for i in sorted({0, n // 2, n - 1}):
        anchor = "start" if i == 0 else "end" if i == n - 1 else "middle"
        out.append(f'<text class="axis" x="{x(i):.1f}" y="{H - 8}" text-anchor="{anchor}">{days[i]:%b %d}</text>')
    if highlight in days:
        i = list(days).index(highlight)
        out.append(f'<line class="today" x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{PAD_T}" y2="{H - PAD_B}"/>')
    for label, vals, colour in series:
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vals) if v is not None)
        out.append(f'<polyline fill="none" stroke="{escape(colour)}" stroke-width="2" points="{pts}">'
                   f"<title>{escape(label)}</title></polyline>")
    if marks:
        first = series[0][1]
        for i, m in enumerate(marks):
            if m and first[i] is not None:
                out.append(f'<circle class="spike" cx="{x(i):.1f}" cy="{y(first[i]):.1f}" r="4">'
                           f"<title>spike {days[i]}</title></circle>")
    out.append("</svg>")
    legend = "".join(f'<span class="key" style="border-color:{escape(c)}">{escape(lbl)}</span>'
                     for lbl, _, c in series)
    if band:
        legend += '<span class="key band-key">baseline band</span>'
    return Markup("".join(out) + f'<div class="legend">{legend}</div>')
