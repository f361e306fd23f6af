"""The `coach` command as a user runs it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coach.stack import Stack

ROOT = Path(__file__).resolve().parents[2]


def coach(*args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: int = 120):
    return subprocess.run(
        [sys.executable, "-m", "coach.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or dict(os.environ),
    )


def test_personas_lists_the_three_types() -> None:
    result = coach("personas")
    assert result.returncode == 0
    for persona_type in ("wantrouwend", "laaggeletterd", "schulden"):
        assert persona_type in result.stdout


def test_broken_persona_file_is_reported_in_dutch(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data/catalogues", tmp_path / "data/catalogues")
    shutil.copytree(ROOT / "data/personas", tmp_path / "data/personas")
    path = tmp_path / "data/personas/henk.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("start: {trust: 40", "start: {trust: veel")
    )
    result = coach("personas", env={**os.environ, "COACH_HOME": str(tmp_path)})
    assert result.returncode == 2
    assert "Fout in een databestand" in result.stderr
    assert "henk.yml: start.trust: must be a number" in result.stderr


def test_play_with_a_broken_script_fails_before_starting(tmp_path: Path) -> None:
    script = tmp_path / "leeg.yml"
    script.write_text("persona: henk\nlines: []\n")
    result = coach("play", str(script))
    assert result.returncode == 2
    assert "leeg.yml: lines" in result.stderr


@pytest.mark.stack
def stack_env(stack: Stack) -> dict[str, str]:
    """The stack's var dir: its channel token (a client of another install is refused)."""
    return {**os.environ, "COACH_VAR_DIR": str(stack.settings.var_dir)}


def test_chat_in_the_terminal(stack: Stack) -> None:
    lines = [
        "Goedemiddag, ik ben Sanne van de gemeente.",
        "",
        "/status",
        "/iets",
        "Hoe gaat het met u?",
        "/stop",
    ]
    stdin = "\n".join(lines) + "\n"
    args = ("--persona", "laaggeletterd", "--seed", "5", "--rasa-url", stack.settings.rasa_url)
    result = coach("chat", *args, stdin=stdin, env=stack_env(stack))
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Je oefent met Henk Visser" in out and "opdracht" in out
    assert "herkend als: Begroeten en jezelf voorstellen" in out
    assert "herkend als: Geen woorden" in out
    assert "Dat commando ken ik niet" in out
    assert "Het oefengesprek met Henk Visser is klaar. Je stuurde 3 berichten." in out


@pytest.mark.stack
def test_chat_ends_cleanly_when_input_ends(stack: Stack) -> None:
    args = ("--persona", "marco", "--rasa-url", stack.settings.rasa_url)
    result = coach("chat", *args, stdin="Goedemorgen meneer Jansen.\n", env=stack_env(stack))
    assert result.returncode == 0
    assert "(gesprek afgerond)" in result.stdout
    assert "is klaar" in result.stdout


@pytest.mark.stack
def test_choosing_a_persona_by_number_and_giving_up(stack: Stack) -> None:
    env = stack_env(stack)
    rasa = ("--rasa-url", stack.settings.rasa_url)
    listed = coach("chat", *rasa, stdin="", env=env).stdout
    numbers = dict(re.findall(r"^ +(\d+)\. (\w+ \w+)", listed, flags=re.MULTILINE))
    pick = next(n for n, name in numbers.items() if name == "Samira Bouzid")
    chosen = coach("chat", *rasa, stdin=f"99\nabc\n{pick}\n/stop\n", env=env)
    assert chosen.returncode == 0
    assert "Dat is geen keuze" in chosen.stdout
    assert "Je oefent met Samira Bouzid" in chosen.stdout
    nothing = coach("chat", "--rasa-url", stack.settings.rasa_url, stdin="", env=env)
    assert nothing.returncode == 0
    assert "er is geen gesprek begonnen" in nothing.stdout


def test_trainer_add_and_review_server(tmp_path: Path) -> None:
    import time

    import requests

    from tests.conftest import free_port

    env = {**os.environ, "COACH_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    short = coach("trainer", "add", "eva", "--password-stdin", stdin="kort\n", env=env)
    assert short.returncode == 2 and "minstens 10 tekens" in short.stderr
    ok = coach("trainer", "add", "eva", "--password-stdin", stdin="een-goed-wachtwoord\n", env=env)
    assert ok.returncode == 0 and "kan nu inloggen" in ok.stdout
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "coach.main", "review", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                page = requests.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert page.url.endswith("/login?next=/?") and "Inloggen voor trainers" in page.text
        session = requests.Session()
        login = session.get(f"http://127.0.0.1:{port}/login").text
        token = login.split('name="csrf_token" value="')[1].split('"')[0]
        done = session.post(
            f"http://127.0.0.1:{port}/login",
            data={"username": "eva", "password": "een-goed-wachtwoord", "csrf_token": token},
        )
        assert done.status_code == 200 and "Oefensessies" in done.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.stack
def test_chat_in_a_workshop(stack: Stack, catalogues: object) -> None:
    """`coach chat --workshop CODE`: checked, joined, and the session counts for the workshop."""
    from sqlalchemy import select

    from gesprekscoach.storage.db import make_engine, session_factory
    from gesprekscoach.storage.models import PracticeSession
    from tests.workshops.conftest import new_workshop

    engine = make_engine(stack.settings.database_url)
    code = new_workshop(engine, catalogues)  # type: ignore[arg-type]  # henk only, open
    env = {
        **os.environ,
        "COACH_VAR_DIR": str(stack.settings.var_dir),
        "DATABASE_URL": stack.settings.database_url,
    }
    rasa = ("--rasa-url", stack.settings.rasa_url)
    wrong = coach("chat", "--workshop", "QQQQQQ", *rasa, env=env)
    assert wrong.returncode == 2 and "De code QQQQQQ ken ik niet" in wrong.stderr
    stdin = "Goedemiddag meneer Visser.\n/stop\n"
    result = coach("chat", "--workshop", code.lower(), *rasa, stdin=stdin, env=env)
    assert result.returncode == 0, result.stderr
    assert "Je doet mee aan het werkatelier 'Werkatelier schulden'" in result.stdout
    assert "Je oefent met Henk Visser" in result.stdout, "the workshop's only inwoner, no choice"
    with session_factory(engine)() as db:
        in_workshop = select(PracticeSession).where(PracticeSession.workshop_code == code)
        tagged = db.execute(in_workshop).scalars().all()
        assert len(tagged) == 1 and tagged[0].channel == "terminal"
        assert tagged[0].ended_at is not None and len(tagged[0].turns) == 1
