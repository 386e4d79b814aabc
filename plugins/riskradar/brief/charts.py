"""Charts for the daily brief: PNG bytes from matplotlib (Agg), readable without the HTML.

matplotlib is imported lazily (inside the functions), so importing the brief package or parsing
a DAG stays cheap. Text in charts comes from the taxonomy config and platform ids, never from
feed items; math-text parsing is off anyway, so a `$` in a label stays a dollar sign.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

# dbt_project.yml vars of the spike rule; the band shows where a day would become an alert
DEFAULT_Z_THRESHOLD = 3.0
DEFAULT_MIN_STD = 1.0

_VOLUME = "#2f5d9e"
_NEGATIVE = "#b00020"
_BAND = "#9bb7e0"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"text.parse_math": False, "font.size": 9, "axes.titlesize": 10,
                         "svg.hashsalt": "riskradar", "figure.dpi": 100})
    return plt


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    # no timestamp in the metadata: the same data gives the same bytes (reruns are idempotent)
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def topic_trend_png(series: Sequence[dict[str, Any]], title: str, day: date,
                    z_threshold: float = DEFAULT_Z_THRESHOLD, min_std: float = DEFAULT_MIN_STD) -> bytes:
    """Daily mentions with the baseline band (mean .. mean + z_threshold x std), spike days
    marked, and negative share against its baseline on a second axis.

    `series`: rows of fct_topic_spikes (mention_date, mentions, baseline_mean, baseline_std,
    negative_share, baseline_negative_share, is_spike), oldest first.
    """
    plt = _pyplot()
    days = [r["mention_date"] for r in series]
    mentions = [r["mentions"] or 0 for r in series]
    mean = [r.get("baseline_mean") for r in series]
    std = [max(r.get("baseline_std") or 0.0, min_std) if r.get("baseline_mean") is not None else None
           for r in series]
    lower = [m if m is not None else float("nan") for m in mean]
    # dbt's fct_topic_spikes.spike_threshold_mentions is the rule itself (z, Poisson floor, minimum
    # lift and count); the z x std band is only a fallback for rows without it
    upper = [r["spike_threshold_mentions"] if r.get("spike_threshold_mentions") is not None
             else (m + z_threshold * s if m is not None else float("nan"))
             for r, m, s in zip(series, mean, std, strict=True)]

    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(7.2, 3.6), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 2], "hspace": 0.08})
    ax.fill_between(days, lower, upper, color=_BAND, alpha=0.45, linewidth=0,
                    label="baseline .. alert threshold")
    ax.plot(days, lower, color=_BAND, linewidth=1)
    ax.bar(days, mentions, color=_VOLUME, width=0.8, label="mentions")
    spikes = [(d, m) for d, m, r in zip(days, mentions, series, strict=True) if r.get("is_spike")]
    if spikes:
        ax.scatter([d for d, _ in spikes], [m for _, m in spikes], color=_NEGATIVE, zorder=3, s=18,
                   label="alert")
    ax.axvline(day, color="#444", linewidth=0.8, linestyle=":")
    ax.set_ylabel("mentions / day")
    ax.set_title(f"{title}: last {len(series)} days")
    top = max([m for m in mentions] + [u for u in upper if u == u] + [1])
    ax.set_ylim(0, top * 1.3)
    ax.legend(loc="upper left", fontsize=7, frameon=False, ncol=3)
    ax.grid(axis="y", alpha=0.3)

    neg = [r.get("negative_share") for r in series]
    base_neg = [r.get("baseline_negative_share") for r in series]
    ax2.plot(days, [x if x is not None else float("nan") for x in neg], color=_NEGATIVE, marker=".",
             linewidth=1.2, label="negative share")
    ax2.plot(days, [x if x is not None else float("nan") for x in base_neg], color=_NEGATIVE, alpha=0.4,
             linestyle="--", linewidth=1, label="baseline negative share")
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("negative")
    ax2.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax2.legend(loc="lower left", fontsize=7, frameon=False, ncol=2)
    ax2.grid(axis="y", alpha=0.3)
    import matplotlib.dates as mdates

    ax2.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=8))
    ax2.xaxis.set_major_formatter(mdates.DateFormatter("%b %d"))
    return _png(fig)


def platform_share_png(rows: Sequence[dict[str, Any]], day: date) -> bytes:
    """Share of voice by platform: mentions naming each platform today (bars) and the share of
    them that is negative (label)."""
    plt = _pyplot()
    rows = sorted(rows, key=lambda r: r["mentions"])
    names = [str(r["platform_name"]) for r in rows]
    fig, ax = plt.subplots(figsize=(7.2, 0.45 * max(len(rows), 2) + 0.8))
    bars = ax.barh(names, [r["share_of_voice"] for r in rows],
                   color=[_NEGATIVE if r.get("is_own_platform") else _VOLUME for r in rows])
    for bar, r in zip(bars, rows, strict=True):
        neg = r.get("negative_share")
        label = f" {r['mentions']} ({'–' if neg is None else f'{neg:.0%}'} negative)"
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, label, va="center", fontsize=8)
    ax.set_xlim(0, max([r["share_of_voice"] for r in rows] + [0.1]) * 1.35)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_title(f"Share of voice by platform, {day} (own platform in red)")
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)
