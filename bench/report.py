"""The printed comparison table and the JSON file with every figure.

The table is for a person deciding whether one machine is enough for a
werkatelier; the JSON is for comparing runs over time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OURS = "gesprekscoach"
REFERENCE = "rasa init (reference)"


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _get(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _mem(side: dict[str, Any], server: str, key: str) -> str:
    return _fmt(_get(side, "memory", server, key), 0)


def _rows(ours: dict[str, Any], ref: dict[str, Any]) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = [
        ("Training time (s)", _fmt(ours.get("train_seconds")), _fmt(ref.get("train_seconds"))),
        ("rasa init incl. training (s)", "", _fmt(ref.get("init_seconds"))),
        ("Start to ready (s)", _fmt(ours.get("ready_seconds")), _fmt(ref.get("ready_seconds"))),
    ]
    for key, label in (("idle_mb", "idle"), ("peak_mb", "peak under load")):
        rows.append(
            (f"RSS Rasa server, {label} (MB)", _mem(ours, "rasa", key), _mem(ref, "rasa", key))
        )
        rows.append((f"RSS action server, {label} (MB)", _mem(ours, "actions", key), "n/a"))
        rows.append((f"RSS total, {label} (MB)", _mem(ours, "total", key), _mem(ref, "total", key)))
    names = list(_get(ours, "phases") or {}) or list(_get(ref, "phases") or {})
    for name in names:
        phase = _get(ours, "phases", name) or _get(ref, "phases", name) or {}
        think = phase.get("think_seconds") or [0, 0]
        rows.append(("", "", ""))
        rows.append(
            (
                f"{name}: {phase.get('users')} users x {phase.get('turns_per_user')} turns, "
                f"think {think[0]:g}-{think[1]:g} s",
                "",
                "",
            )
        )
        for key, label in (
            ("p50_ms", "  latency p50 (ms)"),
            ("p95_ms", "  latency p95 (ms)"),
            ("p99_ms", "  latency p99 (ms)"),
            ("max_ms", "  latency max (ms)"),
            ("turns_per_second", "  turns per second"),
            ("turns_ok", "  turns ok / sent"),
            ("errors", "  errors"),
        ):
            a, b = _get(ours, "phases", name, key), _get(ref, "phases", name, key)
            if key == "turns_ok":
                a = None if a is None else f"{a} / {_get(ours, 'phases', name, 'turns_sent')}"
                b = None if b is None else f"{b} / {_get(ref, 'phases', name, 'turns_sent')}"
            rows.append((label, _fmt(a), _fmt(b)))
        for side, data in ((OURS, ours), (REFERENCE, ref)):
            kinds = _get(data, "phases", name, "errors_by_kind")
            if kinds:
                detail = ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items()))
                rows.append((f"  errors by kind, {side}", detail, ""))
    return rows


def render(results: dict[str, Any]) -> str:
    """The comparison as a plain-text table, with the machine and what was measured how."""
    m = results.get("machine", {})
    ours = results.get("ours", {})
    ref = results.get("reference", {})
    lines = [
        "",
        f"Machine: {m.get('nproc')} CPUs ({m.get('cpu_model')}), "
        f"{m.get('mem_total_mb', 0) / 1024:.1f} GB RAM, load average at start "
        f"{m.get('loadavg_at_start')}, at end {m.get('loadavg_at_end')}",
    ]
    rows = _rows(ours, ref)
    width = max(len(r[0]) for r in rows) + 2
    lines.append(f"{'':<{width}}{OURS:>16}  {REFERENCE:>24}")
    lines.append("-" * (width + 42))
    for label, a, b in rows:
        if label.startswith("  errors by kind"):
            lines.append(f"{label}: {a}")
        else:
            lines.append(f"{label:<{width}}{a:>16}  {b:>24}".rstrip())
    lines.append("")
    lines.extend(f"Note: {note}" for note in results.get("notes", []))
    if results.get("error"):
        lines.append(f"RUN FAILED: {results['error']} (figures above are partial)")
    return "\n".join(lines)


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
