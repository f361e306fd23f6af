"""Every chart of the product, drawn one way: a matplotlib `Figure` object, no pyplot.

pyplot keeps global state, so two threads drawing at once can mix their charts. A
`Figure` of its own is safe from any thread: the dashboard draws from waitress's
threads and the bot from a worker thread (never on its event loop, where a chart
of ~100 ms would hold up every chat).
"""

from __future__ import annotations

import io
from typing import Any

from gesprekscoach.feedback.report import CREDITED, FLAGGED

TRUST, STRESS, NEED = "#1565c0", "#ef6c00", "#6a1b9a"


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure  # Agg canvas by default: no screen needed

    return Figure(figsize=(width, height))


def _png(fig: Any, dpi: int = 100) -> bytes:
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def theme_chart(report: dict[str, Any], themes: dict[str, str]) -> bytes:
    """Tips per theme (credited and flagged) beside the trust and stress curve.

    Takes the report as structured data (Report.to_dict()), as clients get it.
    """
    names = list(themes)
    tips = report["tips"]
    credited = [sum(t["theme"] == n and t["status"] == CREDITED for t in tips) for n in names]
    flagged = [sum(t["theme"] == n and t["status"] == FLAGGED for t in tips) for n in names]
    fig = _figure(9, 3.4)
    bars, curve = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    y = range(len(names))
    bars.barh(y, credited, color="#2e7d32", label="goed gedaan")
    bars.barh(y, flagged, left=credited, color="#c62828", label="aandachtspunt")
    bars.set_yticks(list(y), [themes[n] for n in names])
    bars.invert_yaxis()
    bars.set_xlabel("aantal tips")
    bars.xaxis.get_major_locator().set_params(integer=True)
    bars.legend(loc="lower right", fontsize=8)
    bars.set_title("Tips per thema")
    m = report["measures"]
    turns = range(len(m["trust_curve"]))
    curve.plot(turns, m["trust_curve"], color=TRUST, marker="o", label="vertrouwen")
    curve.plot(turns, m["stress_curve"], color=STRESS, marker="o", label="spanning")
    if m["hidden_need_turn"] is not None:
        curve.axvline(m["hidden_need_turn"], color=NEED, linestyle="--", label="behoefte")
    curve.set_ylim(0, 100)
    curve.set_xlabel("bericht")
    curve.set_title(str(report["persona_name"]).split()[0])
    curve.legend(loc="upper left", fontsize=8)
    return _png(fig, dpi=110)


def progress_png(per_tip: dict[str, list[int]], themes_of: dict[str, str]) -> bytes:
    """How many of each theme's tips a casemanager showed, session by session."""
    fig = _figure(7, 3)
    ax = fig.subplots()
    sessions = len(next(iter(per_tip.values()), []))
    xs = list(range(1, sessions + 1))
    for theme in sorted(set(themes_of.values())):
        ids = [t for t, th in themes_of.items() if th == theme and t in per_tip]
        ys = [sum(per_tip[t][i] for t in ids) for i in range(sessions)]
        ax.plot(xs, ys, marker="o", label=theme)
    total = [sum(v[i] for v in per_tip.values()) for i in range(sessions)]
    ax.plot(xs, total, marker="s", color="black", linewidth=2, label="alle tips")
    ax.set_xlabel("sessie")
    ax.set_ylabel("tips laten zien")
    if xs:
        ax.set_xticks(xs)
    ax.legend(fontsize=8, loc="upper left")
    return _png(fig)


def curve_png(trust: list[float], stress: list[float], need_turn: int | None) -> bytes:
    """Trust and stress per message of one session, with the turn the need came out."""
    fig = _figure(6, 2.6)
    ax = fig.subplots()
    turns = list(range(1, len(trust) + 1))
    ax.plot(turns, trust, marker="o", color=TRUST, label="vertrouwen")
    ax.plot(turns, stress, marker="o", color=STRESS, label="spanning")
    if need_turn:
        ax.axvline(need_turn, color=NEED, linestyle="--", label="behoefte gevonden")
    ax.set_ylim(0, 100)
    ax.set_xlabel("bericht")
    ax.set_xticks(turns)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, fontsize=8, frameon=False)
    return _png(fig)
