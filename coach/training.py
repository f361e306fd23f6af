"""Train the Rasa model when (and only when) its inputs changed.

The model's name carries a fingerprint of config.yml, domain.yml and the
training data, so an up-to-date model is found without starting Rasa at all.
Personas are not training data: adding one needs no retraining.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from coach.processes import python, run_logged, say
from gesprekscoach.settings import Settings

MODEL_PREFIX = "gesprekscoach-"
EPOCH_LINE = re.compile(r"Epochs:\s+(\d+)%")


def training_inputs(root: Path) -> list[Path]:
    data = root / "data"
    files = [root / "config.yml", root / "domain.yml", data / "rules.yml"]
    for folder in (data / "nlu", data / "stories"):
        files += sorted(folder.rglob("*.yml"))
    return files


def data_paths(root: Path) -> list[str]:
    data = root / "data"
    return [str(data / "nlu"), str(data / "stories"), str(data / "rules.yml")]


def fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in training_inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class TrainResult:
    model: Path
    trained: bool
    seconds: float


def model_path(settings: Settings) -> Path:
    return settings.model_dir / f"{MODEL_PREFIX}{fingerprint(settings.root)}.tar.gz"


def current_model(settings: Settings) -> Path | None:
    path = model_path(settings)
    return path if path.exists() else None


def train(settings: Settings, *, force: bool = False, out_dir: Path | None = None) -> TrainResult:
    """Train into ``out_dir`` (default: the model folder) unless the model is current."""
    target_dir = out_dir or settings.model_dir
    name = f"{MODEL_PREFIX}{fingerprint(settings.root)}"
    target = target_dir / f"{name}.tar.gz"
    if target.exists() and not force:
        say(f"==> Het model is actueel ({target.name}); niet opnieuw trainen.")
        return TrainResult(target, False, 0.0)

    say("==> Het model trainen (data of configuratie veranderd); dit duurt een halve minuut.")
    last_pct = -1

    def progress(line: str) -> None:
        nonlocal last_pct
        match = EPOCH_LINE.search(line)
        if match:
            pct = int(match.group(1))
            if pct // 25 > last_pct // 25:
                say(f"    trainen: {pct}%")
                last_pct = pct

    args = [
        *(python(), "-m", "rasa", "train"),
        *("--config", str(settings.root / "config.yml")),
        *("--domain", str(settings.root / "domain.yml")),
        *("--data", *data_paths(settings.root)),
        *("--out", str(target_dir)),
        *("--fixed-model-name", name),
    ]
    code, seconds = run_logged(
        args,
        cwd=settings.root,
        log_path=settings.log_dir / "train.log",
        message="nog bezig met trainen",
        on_line=progress,
    )
    if code != 0 or not target.exists():
        raise RuntimeError(
            f"Trainen is mislukt (code {code}). Zie {settings.log_dir / 'train.log'}."
        )
    if out_dir is None:
        for old in target_dir.glob(f"{MODEL_PREFIX}*.tar.gz"):
            if old != target:
                old.unlink()
    say(f"==> Model klaar in {seconds:.0f} s: {target.name}")
    return TrainResult(target, True, seconds)
