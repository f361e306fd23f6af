"""`python -m bench.dashboard`: the trainers' session list with 10,000 sessions.

Seeds a fresh database (SQLite by default, or --database-url) with 10,000
sessions of 300 casemanagers, 8 turns each, then times the pages a trainer
opens most: the first page, a filter on one casemanager, a date range, the
"has comments" filter, a deep page and a session page, each several times
through the real Flask application (its test client, so no network noise).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert

from dashboard.app import create_app
from gesprekscoach.accounts.trainers import add_trainer
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.migrate import upgrade
from gesprekscoach.storage.models import Casemanager, Comment, PracticeSession, TurnRecord

PASSWORD = "bench-wachtwoord"


def seed(url: str, sessions: int, people: int, turns: int) -> None:
    rng = random.Random(7)
    engine = make_engine(url)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    personas = [("marco", "wantrouwend"), ("henk", "laaggeletterd"), ("samira", "schulden")]
    with session_factory(engine)() as db, db.begin():
        add_trainer(db, "bench", PASSWORD)
        db.execute(
            insert(Casemanager),
            [
                {
                    "id": i + 1,
                    "display_name": f"casemanager {i + 1}",
                    "channel": "telegram",
                    "channel_hash": f"{i:064d}",
                }
                for i in range(people)
            ],
        )
        rows, turn_rows, comments = [], [], []
        for n in range(sessions):
            persona, kind = personas[n % 3]
            begun = start + timedelta(minutes=47 * n)
            rows.append(
                {
                    "id": f"s{n:05d}",
                    "casemanager_id": rng.randint(1, people),
                    "persona_id": persona,
                    "persona_type": kind,
                    "channel": "telegram",
                    "mode": "oefenen",
                    "seed": n,
                    "started_at": begun,
                    "ended_at": begun + timedelta(minutes=12),
                    "hidden_need_found": n % 2 == 0,
                    "final_trust": 50.0,
                    "report": {"tips": []},
                }
            )
            for t in range(1, turns + 1):
                turn_rows.append(
                    {
                        "session_id": f"s{n:05d}",
                        "number": t,
                        "text": "Hoe gaat het?",
                        "move": "open_vraag",
                        "confidence": 0.9,
                        "reply": "Goed.",
                        "trust": 50.0,
                        "stress": 40.0,
                    }
                )
            if n % 50 == 0:
                comments.append({"session_id": f"s{n:05d}", "text": "Mooi gedaan"})
        db.execute(insert(PracticeSession), rows)
        db.execute(insert(TurnRecord), turn_rows)
        db.execute(insert(Comment), comments)
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'dashboard.db'}"
        upgrade(url)
        began = time.perf_counter()
        seed(url, args.sessions, 300, 8)
        print(f"seeded {args.sessions} sessions x 8 turns in {time.perf_counter() - began:.1f} s")
        app = create_app(url, "bench-secret", move_ids=("open_vraag",))
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
        pages = {
            "first page": "/",
            "one casemanager": "/?casemanager=casemanager+17",
            "date range (a week)": "/?from=2026-03-01&to=2026-03-07",
            "has comments": "/?comments=1",
            "page 150": "/?page=150",
            "a session": f"/sessions/s{args.sessions // 2:05d}",
        }
        print(f"{'page':<22} {'p50 ms':>8} {'p95 ms':>8}")
        for name, path in pages.items():
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            times.sort()
            p95 = times[max(int(len(times) * 0.95) - 1, 0)]
            print(f"{name:<22} {statistics.median(times):>8.1f} {p95:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
