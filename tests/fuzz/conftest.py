"""Hypothesis profiles for the fuzz tests (tests/fuzz only; no other tests use Hypothesis).

"fuzz" (the default) is what CI runs: derandomized, so every run tries the same
examples and a failure is reproducible; no example database, so nothing is
written into the tree. "fuzz-deep" is for a long hunt by hand:

    HYPOTHESIS_PROFILE=fuzz-deep FUZZ_SCALE=20 .venv/bin/pytest tests/fuzz -q

FUZZ_SCALE multiplies every test's example count (tests/fuzz/strategies.py: examples).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps caches (character tables, constants from the code) in ./.hypothesis even
# without an example database; keep them out of the working tree.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "gesprekscoach-hypothesis")

# No "explain" phase: it replays a failure many times over to comment on it (20 s and more
# for a whole practice), which CI does not need.
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    # The texts are big on purpose, and one example may run a whole practice.
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("fuzz", derandomize=True, phases=_PHASES, **_COMMON)  # type: ignore[arg-type]
settings.register_profile(
    "fuzz-deep",
    derandomize=False,
    phases=_PHASES,
    **_COMMON,  # type: ignore[arg-type]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fuzz"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "xfail_on(database, reason): strict xfail for the runs of a test on that database "
        "(the `engine` parameter of tests/fuzz/test_writer_fuzz.py)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A bug of one database: xfail(strict) on that one, an ordinary test on the other."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        database = callspec.params.get("engine") if callspec is not None else None
        for mark in item.iter_markers("xfail_on"):
            if mark.args[0] == database:
                item.add_marker(pytest.mark.xfail(strict=True, reason=mark.kwargs["reason"]))
