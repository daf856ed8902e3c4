"""The report's figures: matplotlib alone, on an Agg canvas (no pyplot, no global state), saved deterministically.

Each function returns a :class:`matplotlib.figure.Figure` of a fixed size; :func:`svg` and
:func:`png` turn it into bytes that depend on nothing but the figure (no date, no software
version; SVG ids from a fixed salt and prefixed by the figure's name, so that several SVGs
can sit in one HTML page).
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch

from ..models import Result
from ..scenario import Issue, Scenario
from ..sensitivity import Tornado
from .network import Network

WIDTH = 7.2  # inches: the text column
INK, MUTED, GRID = "#1f2933", "#7b8794", "#e4e7eb"
EVIDENCE, CALIBRATED = "#2f6fb0", "#d9822b"  # Monte Carlo intervals; accord's calibrated intervals
LOW, HIGH = "#5b8fd6", "#e0703a"  # tornado: input at its 5% and its 95% quantile
AGREE, CHALLENGE = "#52606d", "#c0392b"
STYLE = {
    "font.family": "DejaVu Sans", "font.size": 8.5, "axes.titlesize": 9.5, "axes.titleweight": "bold",
    "axes.titlelocation": "left", "axes.labelsize": 8.5, "axes.labelcolor": INK, "xtick.labelsize": 8,
    "ytick.labelsize": 8, "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": MUTED,
    "axes.linewidth": 0.8, "xtick.color": INK, "ytick.color": INK, "text.color": INK, "grid.color": GRID,
    "grid.linewidth": 0.8, "legend.frameon": False, "legend.fontsize": 8, "svg.fonttype": "none",
    "figure.dpi": 100, "savefig.dpi": 100,
    # Labels are the user's words, never TeX: "$5m" or "US$" must not be read as mathtext.
    "text.parse_math": False,
}


def canvas(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def svg(fig: Figure, name: str) -> str:
    """The figure as an SVG element (no XML prolog or metadata), its ids prefixed by ``name``."""
    buf = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": f"accord-{name}", "svg.fonttype": "none", "text.parse_math": False}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    body = buf.getvalue()
    body = re.sub(r"\s*<metadata>.*?</metadata>", "", body[body.index("<svg"):], flags=re.S)
    body = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', body)
    return re.sub(r'(href="#|url\(#)([^")]+)', rf"\1{name}-\2", body).strip() + "\n"


def png(fig: Figure, dpi: int = 150) -> bytes:
    buf = io.BytesIO()
    with mpl.rc_context({"text.parse_math": False}):  # tick labels may be made only now
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def styled(draw):
    """Draw under the report's style (rcParams apply when artists are made)."""

    def wrapper(*args, **kwargs) -> Figure:
        with mpl.rc_context(STYLE):
            return draw(*args, **kwargs)

    wrapper.__name__, wrapper.__doc__ = draw.__name__, draw.__doc__
    return wrapper


NAMED = 10  # actors drawn in colour and named in legends; beyond, the weightiest NAMED, the others grey
OTHERS = "#c3c9d0"


def actor_colors(actors: Sequence[str], weight: Sequence[float]) -> dict[str, str | tuple]:
    """A colour per actor: all of them when they are few, else the NAMED weightiest and grey for the rest."""
    order = np.argsort(-np.asarray(weight, float), kind="stable")[:NAMED]
    named = [a for k, a in enumerate(actors) if k in set(order.tolist())]
    cmap = mpl.colormaps["tab10"]
    return {a: cmap(named.index(a)) if a in named else OTHERS for a in actors}


# -- axes on an issue's scale ----------------------------------------------------------------


def scale_axis(ax, issue: Issue, axis: str = "x", labels: bool = True, axis_inches: float = WIDTH - 1.0) -> None:
    """Limits on the issue's scale; ticks at its anchors, labelled with their words (or numbers only),
    wrapped to fit an axis ``axis_inches`` wide."""
    lo, hi = issue.scale.min, issue.scale.max
    pad = 0.03 * (hi - lo)
    (ax.set_xlim if axis == "x" else ax.set_ylim)(lo - pad, hi + pad)
    anchors = sorted(issue.scale.anchors, key=lambda a: a.value)
    if not anchors:
        return
    values = [a.value for a in anchors]
    if axis == "y" or not labels:
        (ax.set_xticks if axis == "x" else ax.set_yticks)(values, [f"{v:g}" for v in values])
    else:
        align = ["left" if v == lo else "right" if v == hi else "center" for v in values]
        chars = anchor_chars(values, align, lo, hi, axis_inches)
        ax.set_xticks(values, [f"{a.value:g}\n" + textwrap.fill(a.label, chars) for a in anchors])
        for side, tick in zip(align, ax.get_xticklabels()):
            tick.set_horizontalalignment(side)
    ax.grid(axis=axis, zorder=0)


def anchor_chars(values: list[float], align: list[str], lo: float, hi: float, axis_inches: float = WIDTH - 1.0,
                 char_points: float = 4.7) -> int:
    """Characters per line of the anchors' labels, so that neighbouring labels do not overlap."""
    reach = {"left": (0.0, 1.0), "center": (0.5, 0.5), "right": (1.0, 0.0)}  # share of a label left, right of its tick
    widest = axis_inches
    for k in range(len(values) - 1):
        gap = (values[k + 1] - values[k]) / (hi - lo) * axis_inches
        widest = min(widest, gap / (reach[align[k]][1] + reach[align[k + 1]][0]))
    return max(10, int(0.92 * widest * 72 / char_points))


def reference_line(ax, issue: Issue, axis: str = "x") -> bool:
    if issue.reference is None:
        return False
    line = ax.axvline if axis == "x" else ax.axhline
    line(issue.reference.point, color=MUTED, linestyle=(0, (4, 3)), linewidth=1, zorder=1)
    return True


# -- forecasts ---------------------------------------------------------------------------------


@styled
def forecasts(issue: Issue, index: int, results: Sequence[Result]) -> Figure:
    """One issue: each model's forecast (a point), with its Monte Carlo and calibrated intervals (bars)."""
    fig = canvas(WIDTH, 0.3 * len(results) + 1.9)
    ax = fig.add_subplot()
    drawn = set()
    for y, result in enumerate(results):
        value = result.forecast[index]
        calibrated = _calibrated(result, issue.id)
        offset = 0.2 if result.uncertainty and calibrated else 0.0
        if result.uncertainty:
            q = np.nanquantile(result.uncertainty["forecasts"][:, index], [0.05, 0.25, 0.75, 0.95])
            ax.hlines(y - offset, q[0], q[3], color=EVIDENCE, linewidth=1.3, zorder=2)
            ax.hlines(y - offset, q[1], q[2], color=EVIDENCE, linewidth=5, alpha=0.55, zorder=2)
            drawn.add("evidence")
        if calibrated:
            (l80, h80), (l50, h50) = calibrated[0.8], calibrated[0.5]
            ax.hlines(y + offset, l80, h80, color=CALIBRATED, linewidth=1.3, zorder=2)
            ax.hlines(y + offset, l50, h50, color=CALIBRATED, linewidth=5, alpha=0.55, zorder=2)
            drawn.add("calibrated")
        if np.isfinite(value):
            ax.plot([value], [y], "o", color=INK, markersize=5, zorder=3)
            ax.annotate(f"{value:.1f}", (value, y), xytext=(0, 6), textcoords="offset points", ha="center",
                        fontsize=7.5, color=INK)
    ax.set_yticks(range(len(results)), [r.model for r in results])
    ax.set_ylim(len(results) - 0.4, -0.7)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    scale_axis(ax, issue)
    ax.set_xlabel(f"{issue.label or issue.id}: scale {issue.scale.min:g}–{issue.scale.max:g}")
    handles = [Line2D([], [], marker="o", color=INK, linestyle="none", markersize=5, label="forecast")]
    if "evidence" in drawn:
        handles.append(Line2D([], [], color=EVIDENCE, linewidth=4, alpha=0.7,
                              label="Monte Carlo: 50% (thick) and 90% (thin) of samples"))
    if "calibrated" in drawn:
        handles.append(Line2D([], [], color=CALIBRATED, linewidth=4, alpha=0.7,
                              label="accord's calibrated 50% and 80% intervals"))
    if reference_line(ax, issue):
        handles.append(Line2D([], [], color=MUTED, linestyle=(0, (4, 3)), label="reference point (status quo)"))
    fig.legend(handles=handles, loc="outside upper left", ncol=len(handles) if len(handles) <= 3 else 2,
               handlelength=1.6)
    return fig


def _calibrated(result: Result, issue: str) -> dict[float, tuple[float, float]]:
    rows = result.tables.get("interval")
    if rows is None:
        return {}
    return {r["level"]: (r["low"], r["high"]) for r in result.table("interval") if r["issue"] == issue}


# -- trajectories ------------------------------------------------------------------------------


@styled
def trajectories(scenario: Scenario, result: Result, names: dict[str, str]) -> Figure:
    """Small multiples: every actor's position on each issue, round by round, and the forecast."""
    n = len(result.issues)
    cols = 1 if n == 1 else 2 if n <= 6 else 3
    rows = math.ceil(n / cols)
    fig = canvas(WIDTH, 2.2 * rows + 0.7)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    colors = actor_colors(result.actors, result.weight.sum(axis=1))
    named = [a for a in result.actors if colors[a] != OTHERS]
    rounds = np.arange(result.positions.shape[0])
    marker = "o" if len(rounds) <= 15 and len(result.actors) <= NAMED else None
    # Named actors drawn wider the earlier they come, so that actors who end together show as one striped line.
    widths = dict(zip(named, np.linspace(3.4, 1.2, len(named)) if len(named) > 1 else [1.8]))
    for i, issue_id in enumerate(result.issues):
        ax, issue = axes[i], scenario.issue(issue_id)
        for a, actor in enumerate(result.actors):
            path = result.positions[:, a, i]
            if np.isnan(path).all():
                continue
            ax.plot(rounds, path, color=colors[actor], linewidth=widths.get(actor, 0.8), marker=marker,
                    markersize=2.5, zorder=2 if actor in widths else 1, solid_capstyle="butt")
        ax.plot([rounds[-1]], [result.forecast[i]], marker="*", color=INK, markersize=10, linestyle="none",
                zorder=3)
        scale_axis(ax, issue, axis="y")
        reference_line(ax, issue, axis="y")
        ax.set_title(textwrap.fill(issue.label or issue_id, 38 if cols > 1 else 80), fontsize=9)
        ax.set_xlabel("round")
        if i % cols == 0:
            ax.set_ylabel("position")
        ax.set_xlim(-0.03 * max(rounds[-1], 1), rounds[-1] * 1.03 + (0 if rounds[-1] else 1))
        ax.xaxis.get_major_locator().set_params(integer=True)
    for ax in axes[n:]:
        ax.set_visible(False)
    handles = [Line2D([], [], color=colors[a], linewidth=2, label=names.get(a, a)) for a in named]
    if len(named) < len(result.actors):
        handles.append(Line2D([], [], color=OTHERS, linewidth=1, label=f"{len(result.actors) - len(named)} others"))
    handles.append(Line2D([], [], marker="*", color=INK, linestyle="none", markersize=9, label="forecast"))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6))
    return fig


# -- sensitivity -------------------------------------------------------------------------------


@styled
def tornado(issue: Issue, result: Tornado, center: float, top: int) -> Figure:
    """One issue's forecast with each of the ``top`` inputs of largest swing moved alone to its 5% and 95% quantile."""
    part = result.top(issue.id, top)
    part = part[part["swing"] > 0]
    fig = canvas(WIDTH, 0.3 * max(len(part), 2) + (1.9 if issue.scale.anchors else 1.3))
    ax = fig.add_subplot()
    if not len(part):
        ax.text(0.5, 0.5, "no input moves this forecast", ha="center", va="center", transform=ax.transAxes,
                color=MUTED)
        ax.axis("off")
        return fig
    for y, row in enumerate(part.itertuples(index=False)):
        ax.barh(y, row.forecast_low - center, left=center, height=0.62, color=LOW, zorder=2)
        ax.barh(y, row.forecast_high - center, left=center, height=0.62, color=HIGH, zorder=2)
    ax.axvline(center, color=INK, linewidth=1, zorder=3)
    labels = [f"{r.input}  ({r.low:.3g} → {r.high:.3g})" for r in part.itertuples()]
    ax.set_yticks(range(len(part)), labels)
    ax.set_ylim(len(part) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    # On the issue's own scale, from its min to its max with its anchors' words, so that a swing
    # reads against the whole range of outcomes (a zoomed axis makes 0.5 points look like 50).
    scale_axis(ax, issue, axis_inches=WIDTH - 0.3 - 0.062 * max(len(t) for t in labels))
    if not issue.scale.anchors:
        ax.grid(axis="x", zorder=0)
    handles = [Patch(color=LOW, label="input at the 5% quantile of its evidence"),
               Patch(color=HIGH, label="input at the 95% quantile")]
    if reference_line(ax, issue):
        handles.append(Line2D([], [], color=MUTED, linestyle=(0, (4, 3)), label="status quo"))
    ax.set_xlabel(f"forecast of {issue.id} on its scale; black line: the forecast {center:.1f}")
    fig.legend(handles=handles, loc="outside upper left", ncol=len(handles))
    return fig


# -- network -----------------------------------------------------------------------------------


@styled
def network(net: Network, names: dict[str, str]) -> Figure:
    """The map of agreement (:mod:`.network`): actors placed by a classical scaling of their
    disagreements (size ~ capability), the backbone of ties, and arrows for challenges."""
    fig = canvas(WIDTH, 4.8)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xticks([])
    ax.set_yticks([])
    xy, n = net.map(), len(net.actors)
    crowded = n > 12
    ties = net.ties()
    values = np.array([v for _, _, v in ties])
    lo, hi = (values.min(), values.max()) if len(values) else (0.0, 1.0)
    for a, b, v in ties:
        t = (v - lo) / (hi - lo) if hi > lo else 1.0
        ax.plot(*xy[[a, b]].T, color=AGREE, linewidth=1 + 5 * t, alpha=0.3 + 0.45 * t, solid_capstyle="round",
                zorder=1)
        if not crowded:
            ax.text(*xy[[a, b]].mean(axis=0), f"{v:.2f}", fontsize=7, color=MUTED, ha="center", va="center", zorder=2,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    cap = np.nan_to_num(net.capability)
    size = (220 + 1200 * (cap / (cap.max() or 1.0))) * min(1.0, 12 / n)  # points squared
    radius = np.sqrt(size) / 2
    colors = actor_colors(net.actors, net.weight)
    ax.scatter(*xy.T, s=size, c=[colors[a] for a in net.actors], edgecolors="white", linewidths=1.5, zorder=3)
    for k, actor in enumerate(net.actors):
        if not crowded:
            ax.text(*xy[k], actor, ha="center", va="center", fontsize=7, color="white", fontweight="bold", zorder=4)
        # the name on the side away from the others, so that it does not sit on a close ally
        dx, dy = xy[k] - xy.mean(axis=0)
        side = (np.sign(dx) or 1.0, 0.0) if abs(dx) > 2 * abs(dy) else (0.0, np.sign(dy) or -1.0)
        ax.annotate(actor if crowded else names.get(actor, actor), xy[k],
                    xytext=(side[0] * (radius[k] + 3), side[1] * (radius[k] + 3)), textcoords="offset points",
                    ha={-1.0: "right", 0.0: "center", 1.0: "left"}[side[0]],
                    va={-1.0: "top", 0.0: "center", 1.0: "bottom"}[side[1]], fontsize=6.5 if crowded else 8.5,
                    zorder=5, bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none",
                                    "alpha": 0.75})
    handles = [Line2D([], [], color=AGREE, linewidth=1, alpha=0.3, label=f"agreement {lo:.2f}"),
               Line2D([], [], color=AGREE, linewidth=6, alpha=0.75, label=f"to {hi:.2f}")]
    strongest = net.strongest()
    if strongest:
        top = strongest[0][2]
        for a, b, n_ab in strongest:
            ax.add_patch(FancyArrowPatch(xy[a], xy[b], arrowstyle="-|>", mutation_scale=11,
                                         connectionstyle="arc3,rad=0.2", shrinkA=radius[a] + 1, shrinkB=radius[b] + 3,
                                         linewidth=0.7 + 1.6 * n_ab / top, color=CHALLENGE, alpha=0.7, zorder=2))
        handles.append(Line2D([], [], color=CHALLENGE, linewidth=1.5, marker=">", markersize=5,
                              label=f"the {len(strongest)} most frequent challenges ({net.challenge_model})"))
    span = max(np.ptp(xy[:, 0]) if n else 0.0, np.ptp(xy[:, 1]) if n else 0.0, 0.1)
    pad = 0.14 * span + 0.02
    ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
    ax.set_ylim(xy[:, 1].min() - 1.3 * pad, xy[:, 1].max() + pad)
    x0, y0 = xy[:, 0].min() - 0.8 * pad, xy[:, 1].min() - 1.15 * pad
    ax.plot([x0, x0 + 0.1], [y0, y0], color=INK, linewidth=1.2, solid_capstyle="butt")
    ax.text(x0 + 0.11, y0, "0.1 of the scales", fontsize=7, color=INK, ha="left", va="center")
    ax.set_xlabel("the main divide (first axis of a classical scaling of the disagreements)", color=MUTED)
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=7.5)
    return fig
