"""The cluster's nginx config and layout, without starting anything: which servers nginx
knows, where it listens, where it may send a request again, and the Dutch refusals."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from coach.cluster import LOCK_LIFETIME, Cluster
from coach.cluster_config import (
    TEMPLATE,
    BalancerPlan,
    bot_path,
    check_config,
    nginx_config,
    render,
)
from coach.servers import StackError
from gesprekscoach.settings import Settings, load_settings
from tests.conftest import ROOT

PLAN = BalancerPlan(
    public_port=15005,
    actions_port=15055,
    replicas=[20001, 20002],
    actions=[20011, 20012],
    dashboard=20020,
)


def config(plan: BalancerPlan = PLAN, folder: Path = Path("/tmp/x")) -> str:
    template = (ROOT / TEMPLATE).read_text(encoding="utf-8")
    return nginx_config(plan, folder, folder / "access.log", template)


def block(conf: str, opening: str) -> str:
    """The text of the `{ ... }` block that starts at `opening` (braces counted)."""
    start = conf.index(opening)
    depth, i = 0, conf.index("{", start)
    while True:
        depth += {"{": 1, "}": -1}.get(conf[i], 0)
        if depth == 0:
            return conf[start : i + 1]
        i += 1


def without_comments(conf: str) -> str:
    return "\n".join(line.split("#")[0] for line in conf.splitlines())


def test_nginx_knows_both_replicas_and_both_action_servers() -> None:
    conf = without_comments(config())
    replicas = block(conf, "upstream rasa_replicas")
    assert "server 127.0.0.1:20001 " in replicas and "server 127.0.0.1:20002 " in replicas
    assert "max_fails=" in replicas and "fail_timeout=" in replicas, "passive health"
    assert "keepalive " in replicas, "keep-alive to the replicas"
    actions = block(conf, "upstream action_servers")
    assert "127.0.0.1:20011" in actions and "127.0.0.1:20012" in actions
    assert "127.0.0.1:20001" not in actions
    assert "127.0.0.1:20020" in block(conf, "upstream dashboard")


def test_nginx_listens_on_loopback_only() -> None:
    conf = without_comments(config())
    listens = re.findall(r"^\s*listen\s+([^;]+);", conf, flags=re.MULTILINE)
    assert listens == ["127.0.0.1:15005", "127.0.0.1:15055"]


def test_a_request_is_sent_again_only_where_that_is_safe() -> None:
    conf = without_comments(config(dataclass_with_bot()))
    channel = block(conf, "location /webhooks/coach/")
    assert "proxy_next_upstream error timeout http_502 http_503 non_idempotent;" in channel
    assert conf.count("non_idempotent") == 1, "only the practice channel (message_id, replay)"
    actions = block(conf, f"listen 127.0.0.1:{PLAN.actions_port}")
    assert "proxy_next_upstream error timeout" in actions and "non_idempotent" not in actions
    for one_server in ("location = /telegram", "location / {"):
        assert "proxy_next_upstream off;" in block(conf, one_server)
    assert "proxy_connect_timeout 1s;" in conf, "a dead server is skipped at once"


def dataclass_with_bot() -> BalancerPlan:
    return BalancerPlan(**{**PLAN.__dict__, "bot": 20030, "bot_path": "/telegram"})


def test_the_bot_gets_a_location_only_when_the_cluster_runs_it() -> None:
    assert "telegram_bot" not in config()
    conf = config(dataclass_with_bot())
    assert "127.0.0.1:20030" in block(conf, "upstream telegram_bot")
    assert "proxy_pass http://telegram_bot;" in block(conf, "location = /telegram")
    assert bot_path("https://coach.example.nl/") == "/telegram", "as the bot listens"
    assert bot_path("https://coach.example.nl/tg/x") == "/tg/x"


def test_a_webhook_path_that_could_change_the_config_is_refused_in_dutch() -> None:
    plan = BalancerPlan(**{**PLAN.__dict__, "bot": 20030, "bot_path": "/x; return 200"})
    with pytest.raises(StackError, match="TELEGRAM_WEBHOOK_URL.*mag alleen"):
        config(plan)


def test_the_template_must_be_filled_in_completely() -> None:
    with pytest.raises(KeyError, match="no value for 'port'"):
        render("listen {{ port }};", {}, {})
    with pytest.raises(ValueError, match="not closed"):
        render("{{ if bot }}\nx", {}, {"bot": True})
    assert render("a\n{{ if bot }}\nb\n{{ end bot }}\nc", {}, {"bot": False}) == "a\nc\n"


@pytest.mark.skipif(
    not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()), reason="nginx not installed"
)
def test_nginx_accepts_the_generated_config(tmp_path: Path) -> None:
    path = tmp_path / "nginx.conf"
    path.write_text(config(dataclass_with_bot(), tmp_path), encoding="utf-8")
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert check_config(binary, path) is None
    path.write_text("http { nonsense; }\n", encoding="utf-8")
    assert "nonsense" in (check_config(binary, path) or "")


def cluster_settings(tmp_path: Path, **extra: str) -> Settings:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"COACH_VAR_DIR": str(tmp_path), "RASA_PORT": "15005", "ACTION_PORT": "15055"})
    env.update({"DATABASE_URL": "postgresql://coach:geheim@127.0.0.1:5999/c", **extra})
    return load_settings(env)


def test_the_replicas_reach_the_action_servers_through_the_balancer(tmp_path: Path) -> None:
    cluster = Cluster(cluster_settings(tmp_path), tmp_path / "model.tar.gz")  # nothing starts
    assert cluster.url == "http://127.0.0.1:15005"
    assert [s.alive() for s in cluster.servers] == [False] * len(cluster.servers)
    for replica in cluster.replicas:
        endpoints = Path(replica.args[replica.args.index("--endpoints") + 1])
        settings = yaml.safe_load(endpoints.read_text(encoding="utf-8"))
        assert settings["action_endpoint"]["url"] == "http://127.0.0.1:15055/webhook"
        assert settings["lock_store"]["port"] == urlsplit(cluster.redis_url).port
        assert settings["tracker_store"]["port"] == 5999, "one PostgreSQL for all"
        assert replica.env["TICKET_LOCK_LIFETIME"] == str(LOCK_LIFETIME)
    children = [*cluster.replicas, *cluster.actions, cluster.dashboard]
    for name in ("COACH_CHANNEL_TOKEN", "COACH_PSEUDONYM_SALT", "COACH_SECRET_KEY"):
        assert len({child.env[name] for child in children}) == 1, f"{name}: the same everywhere"
    assert [s.name for s in cluster.stages[0]] == ["redis"]
    assert [s.name for s in cluster.stages[-2]] == ["balancer"], "front ends after the balancer"
    shown = "\n".join(cluster.addresses())
    assert "geheim" not in shown and "***" in shown, "no password on the screen"


def test_a_cluster_with_the_in_memory_lock_store_is_refused_in_dutch(tmp_path: Path) -> None:
    settings = cluster_settings(tmp_path, COACH_LOCK_STORE="memory")
    with pytest.raises(StackError, match="lock store niet in het geheugen"):
        Cluster(settings, tmp_path / "model.tar.gz")
    with pytest.raises(StackError, match="TELEGRAM_BOT_TOKEN"):
        Cluster(cluster_settings(tmp_path), tmp_path / "model.tar.gz", bot=True)


def test_coach_cluster_refuses_a_wrong_number_of_replicas_in_dutch() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coach.main", "cluster", "up", "--replicas", "9"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Het aantal replica's moet een getal van 1 tot 8 zijn." in result.stderr
