"""What every response of the dashboard carries against an attacker on the network.

A small after-request hook instead of Flask-Talisman: the policy is a handful of
fixed headers, and one more dependency inside Rasa's pins is not worth that.

- Content-Security-Policy: scripts only from our own static files; the pages'
  <style> blocks carry a fresh nonce per response; no framing, no plugins, forms
  post only to us.
- nosniff, X-Frame-Options for old browsers, Referrer-Policy: same-origin (a
  session id in a path never leaves the site).
- Cache-Control: no-store on everything but the static files: the pages and
  exports hold casemanagers' names and messages.
- Cookies: HttpOnly and SameSite=Lax always; Secure, with Strict-Transport-Security,
  when the dashboard is served over HTTPS (COACH_SECURE_COOKIES=1).
- Bodies over 1 MB are refused (413) from their Content-Length, before being read.
"""

from __future__ import annotations

import secrets
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from dashboard.params import BadParameter

MAX_BODY = 1024 * 1024
"""The dashboard's forms send a few kilobytes; a comment at most some tens."""
HSTS = "max-age=31536000"
MESSAGES = {
    400: "Dit verzoek kan het dashboard niet verwerken. Ga terug en probeer het opnieuw.",
    403: "Je hebt geen toegang tot deze pagina.",
    404: "Deze pagina bestaat niet (meer).",
    405: "Deze pagina kan zo niet worden opgevraagd.",
    413: "Het verzoek is te groot. Het dashboard neemt hoogstens 1 MB per verzoek aan.",
    429: "Te veel verzoeken. Wacht even en probeer het dan opnieuw.",
    500: "Er ging iets mis in het dashboard. Probeer het later opnieuw.",
}
CSRF_MESSAGE = (
    "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog eens."
)


def csp_nonce() -> str:
    """The nonce of this response's <style> blocks (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def policy(nonce: str | None) -> str:
    styles = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return (
        "default-src 'self'; script-src 'self'; "
        f"style-src {styles}; img-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirect).

    Browsers read "//host", "/\\host" and "/<tab>/host" as another site, and drop
    tabs and newlines anywhere; so only a single leading slash, no backslash, no
    control character or whitespace, and nothing urlsplit sees as scheme or host.
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _headers(response: Response, secure: bool) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = policy(g.get("csp_nonce"))
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    if secure:
        headers["Strict-Transport-Security"] = HSTS
    return response


def error_page(exc: HTTPException) -> Any:
    """Errors in Dutch; the stream's own 429 is plain text and never comes here."""
    code = exc.code or 500
    if isinstance(exc, BadParameter):
        message = str(exc.description)
    elif isinstance(exc, CSRFError):
        message = CSRF_MESSAGE
    else:
        message = MESSAGES.get(code, "Er ging iets mis.")
    response = Response(render_template("error.html", message=message, code=code), code)
    if exc.response is None:
        for key, value in exc.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
    return response


def install(app: Flask, *, secure_cookies: bool) -> None:
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        MAX_CONTENT_LENGTH=MAX_BODY,
        MAX_FORM_MEMORY_SIZE=64 * 1024,
        MAX_FORM_PARTS=100,
    )
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(lambda response: _headers(response, secure_cookies))
    for code in MESSAGES:
        app.register_error_handler(code, error_page)
