"""Security headers on every response: a CSP without inline scripts, no framing, no
sniffing, no caching of pages with personal data, and the cookie's flags; then a real
browser confirms the policy blocks nothing the dashboard itself uses."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from dashboard.app import create_app
from gesprekscoach.domain import Catalogues
from tests.dashboard.conftest import artifact_on_failure, csrf, log_in, login
from tests.dashboard.workshop_data import logged_group

PAGES = [
    "/",
    "/sessions/s0",
    "/werkateliers",
    "/werkateliers/nieuw",
    "/werkateliers/{id}",
    "/werkateliers/{id}/live",
    "/werkateliers/{id}/beamer",
    "/werkateliers/{id}/verslag",
    "/casemanagers/1",
    "/casemanagers/1/verwijderen",
]


def directives(response: object) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]  # type: ignore[attr-defined]
    parts = (p.strip().split(" ", 1) for p in header.split(";") if p.strip())
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


def test_every_response_carries_the_security_headers(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    ident, _, _ = logged_group(engine, catalogues)
    responses = [client.get("/login")]
    login(client)
    responses += [client.get(p.format(id=ident)) for p in PAGES]
    responses += [
        client.get("/export/sessions.csv"),
        client.get("/sessions/s0/chart.png"),
        client.get("/bestaat-niet"),
    ]
    for response in responses:
        csp = directives(response)
        assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'"
        assert (csp["frame-ancestors"], csp["object-src"]) == ("'none'", "'none'")
        assert (csp["base-uri"], csp["form-action"]) == ("'self'", "'self'")
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        assert "Strict-Transport-Security" not in response.headers, "plain HTTP: no HSTS"


def test_pages_have_no_inline_script_and_styles_carry_the_nonce(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    ident, _, _ = logged_group(engine, catalogues)
    login(client)
    for path in ["/login", *PAGES]:
        response = client.get(path.format(id=ident))
        page = response.get_data(as_text=True)
        nonce = re.search(r"'nonce-([^']+)'", directives(response)["style-src"])
        assert nonce, path
        assert re.findall(r"<style[^>]*>", page) == [f'<style nonce="{nonce.group(1)}">'] * len(
            re.findall(r"<style", page)
        ), path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), f"inline script on {path}"
        assert not re.search(r"<[a-z][^>]*\s(on[a-z]+|style)=", page), f"inline handler on {path}"


def test_the_cookie_is_httponly_and_lax_and_secure_only_on_request(
    app: Flask, client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    response = login(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = create_app(
        str(engine.url), "test-secret", engine=engine, catalogues=catalogues, secure_cookies=True
    ).test_client()
    token = csrf(secure)
    answer = secure.post(
        "/login",
        data={"username": "trainer", "password": "een-lang-wachtwoord", "csrf_token": token},
    )
    cookie = answer.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_setting_reads_coach_secure_cookies() -> None:
    from gesprekscoach.settings import load_settings

    assert load_settings({"COACH_SECURE_COOKIES": "1"}).secure_cookies is True
    assert load_settings({}).secure_cookies is False
    with pytest.raises(ValueError, match="COACH_SECURE_COOKIES"):
        load_settings({"COACH_SECURE_COOKIES": "misschien"})


WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
window.print = function () { window.printed = true; };
"""


def test_the_policy_blocks_nothing_the_dashboard_uses(
    live_server: str,
    page: Page,
    engine: Engine,
    catalogues: Catalogues,
    request: pytest.FixtureRequest,
) -> None:
    ident, _, _ = logged_group(engine, catalogues)
    page.add_init_script(WATCH_CSP)
    with artifact_on_failure(page, request.node.name):
        log_in(page, live_server)
        expect(page.get_by_role("heading", name="Oefensessies")).to_be_visible()
        header = page.locator("header")
        expect(header).to_have_css("background-color", "rgb(21, 66, 115)")  # base.html's style
        for path in PAGES:
            page.goto(live_server + path.format(id=ident))
            page.wait_for_load_state("load")
            assert page.evaluate("window.cspViolations") == [], path
        page.goto(f"{live_server}/werkateliers/{ident}/beamer")
        expect(page.locator("#verbinding")).to_have_text("Live")
        expect(page.locator(".counts .num").first).to_have_css("font-weight", "800")
        page.goto(f"{live_server}/werkateliers/{ident}/verslag")
        page.get_by_role("button", name="Afdrukken / PDF").click()
        assert page.evaluate("window.printed") is True, "the print button's script ran"
        assert page.evaluate("window.cspViolations") == []
