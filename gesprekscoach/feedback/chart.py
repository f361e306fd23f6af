"""A small chart of the report per theme (matplotlib), as PNG bytes for chat or file."""

from __future__ import annotations

import io
from typing import Any

from gesprekscoach.feedback.report import CREDITED, FLAGGED


def theme_chart(report: dict[str, Any], themes: dict[str, str]) -> bytes:
    """Tips per theme (credited and flagged) beside the trust and stress curve.

    Takes the report as structured data (Report.to_dict()), as clients get it.
    """
    import matplotlib

    matplotlib.use("Agg")  # no screen needed
    import matplotlib.pyplot as plt

    names = list(themes)
    tips = report["tips"]
    credited = [sum(t["theme"] == n and t["status"] == CREDITED for t in tips) for n in names]
    flagged = [sum(t["theme"] == n and t["status"] == FLAGGED for t in tips) for n in names]
    fig, (bars, curve) = plt.subplots(1, 2, figsize=(9, 3.4), gridspec_kw={"width_ratios": [3, 2]})
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
    curve.plot(turns, m["trust_curve"], color="#1565c0", marker="o", label="vertrouwen")
    curve.plot(turns, m["stress_curve"], color="#ef6c00", marker="o", label="spanning")
    if m["hidden_need_turn"] is not None:
        curve.axvline(m["hidden_need_turn"], color="#6a1b9a", linestyle="--", label="behoefte")
    curve.set_ylim(0, 100)
    curve.set_xlabel("bericht")
    curve.set_title(str(report["persona_name"]).split()[0])
    curve.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=110)
    plt.close(fig)
    return out.getvalue()
