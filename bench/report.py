"""The printed comparison table and the JSON file with every figure.

The table is for a person deciding whether one machine is enough for a
werkatelier; the JSON is for comparing runs over time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _memory(figures: dict[str, Any]) -> tuple[str, str]:
    """Total peak and the heaviest process, e.g. ('1,312', 'rasa worker 540')."""
    processes = figures.get("processes") or []
    if not processes:
        return "-", "-"
    total = sum(float(p["peak_mb"]) for p in processes)
    top = max(processes, key=lambda p: float(p["peak_mb"]))
    return f"{total:,.0f}", f"{top['process']} {float(top['peak_mb']):.0f}"


def capacity_ratio(results: dict[str, Any], name: str) -> float | None:
    """Saturation turns/s of a target over the stock bot's, from the same run."""
    ours = _get(results, "targets", name, "phases", "saturation", "turns_per_second")
    stock = _get(results, "targets", "stock", "phases", "saturation", "turns_per_second")
    if not ours or not stock:
        return None
    return round(float(ours) / float(stock), 2)


def _rows(results: dict[str, Any], names: list[str]) -> list[tuple[str, list[str]]]:
    targets = results.get("targets", {})

    def row(label: str, *keys: str, digits: int = 1) -> tuple[str, list[str]]:
        return label, [_fmt(_get(targets, n, *keys), digits) for n in names]

    rows = [
        row("training, empty cache (s)", "train_seconds"),
        row("start to ready (s)", "ready_seconds"),
        ("memory, peak total (MB)", [_memory(targets.get(n, {}))[0] for n in names]),
        ("heaviest process (MB)", [_memory(targets.get(n, {}))[1] for n in names]),
        (
            "capacity vs stock",
            [
                _fmt(capacity_ratio(results, n), 2) + ("x" if capacity_ratio(results, n) else "")
                for n in names
            ],
        ),
    ]
    for phase in ("werkatelier", "saturation", "long"):
        sample = next((_get(targets, n, "phases", phase) for n in names), None) or {}
        think = sample.get("think_seconds") or [0, 0]
        rows.append(("", [""] * len(names)))
        rows.append(
            (
                f"{phase}: {sample.get('users')} users x {sample.get('turns_per_user')} msgs, "
                f"pause {think[0]:g}-{think[1]:g} s",
                [""] * len(names),
            )
        )
        rows.append(row("  p50 / p95 (ms)", "phases", phase, "p50_ms"))
        rows[-1] = (
            "  p50 / p95 (ms)",
            [
                f"{_fmt(_get(targets, n, 'phases', phase, 'p50_ms'), 0)} / "
                f"{_fmt(_get(targets, n, 'phases', phase, 'p95_ms'), 0)}"
                for n in names
            ],
        )
        rows.append(row("  turns per second", "phases", phase, "turns_per_second"))
        rows.append(
            (
                "  ok / sent, errors",
                [
                    f"{_fmt(_get(targets, n, 'phases', phase, 'turns_ok'))} / "
                    f"{_fmt(_get(targets, n, 'phases', phase, 'turns_sent'))}, "
                    f"{_fmt(_get(targets, n, 'phases', phase, 'errors'))}"
                    for n in names
                ],
            )
        )
        if phase == "long":
            rows.append(row("  median around msg 5 (ms)", "phases", phase, "median_ms_at_5th"))
            rows.append(row("  median around msg 60 (ms)", "phases", phase, "median_ms_at_60th"))
    return rows


def render(results: dict[str, Any]) -> str:
    """The comparison as a plain-text table, with the machine and what was measured how."""
    m = results.get("machine", {})
    names = [
        n for n in results.get("options", {}).get("targets", []) if n in results.get("targets", {})
    ]
    lines = [
        "",
        f"Machine: {m.get('nproc')} CPUs ({m.get('cpu_model')}), "
        f"{m.get('mem_total_mb', 0) / 1024:.1f} GB RAM, load average at start "
        f"{m.get('loadavg_at_start')}, at end {m.get('loadavg_at_end')}",
    ]
    rows = _rows(results, names)
    width = max(len(label) for label, _ in rows) + 2
    headers = [str(_get(results, "targets", n, "label") or n) for n in names]
    column = max([18, *(len(h) + 2 for h in headers)])
    lines.append(f"{'':<{width}}" + "".join(f"{h:>{column}}" for h in headers))
    lines.append("-" * (width + column * len(names)))
    for label, values in rows:
        lines.append((f"{label:<{width}}" + "".join(f"{v:>{column}}" for v in values)).rstrip())
    lines.append("")
    for name in names:
        processes = _get(results, "targets", name, "processes") or []
        if processes:
            listed = ", ".join(
                f"{p['server']}/{p['process']} {float(p['peak_mb']):.0f}" for p in processes
            )
            lines.append(f"Memory per process, {name} (peak MB): {listed}")
    lines.append("")
    lines.extend(f"Note: {note}" for note in results.get("notes", []))
    if results.get("error"):
        lines.append(f"RUN FAILED: {results['error']} (figures above are partial)")
    return "\n".join(lines)


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
