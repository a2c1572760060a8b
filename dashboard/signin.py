"""The sign-in and sign-out pages (`/masuk`, `/keluar`) and the navbar's account corner
(issue 10).

Plain Flask pages, not Dash ones: a form POST with its CSRF token works without the page's
script, and the password never passes through a Dash callback's JSON. Both pages follow the
visitor's language (dashboard.context.language). Every attempt is in the audit (ok, failed,
refused by the rate limit) with the address it came from; a failed attempt names the username
typed, never the password.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from flask import Response, redirect, request, session
from flask_login import login_user, logout_user

from config.settings import Settings
from dashboard.auth import (
    CSRF_FIELD,
    LIMITER,
    SIGN_IN_PATH,
    SIGN_OUT_PATH,
    SignedIn,
    client_address,
    csrf_token,
    csrf_valid,
    current_actor,
    mark_signed_in,
)
from dashboard.context import data_source, language
from dashboard.shell_ids import ID_LOCATION as LOCATION
from i18n.catalogue import t
from warehouse.accounts import authenticate, record_audit

ID_AKUN = "app-akun"
_SIGN_IN_ASSET = "vendor/bootstrap.min.css"


def local_path(target: str | None) -> str:
    """A path of this site to go back to after signing in; anything else gives "/"."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if any(c in target for c in "\\\r\n\t\x00") or urlsplit(target).netloc:
        return "/"
    return target


def _page(app: dash.Dash, lang: str, title: str, body: str, status: int = 200) -> Response:
    css = escape(app.get_asset_url(_SIGN_IN_ASSET))
    style = escape(app.get_asset_url("style.css"))
    html_text = f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · {escape(t("app.judul", lang))}</title>
<link rel="stylesheet" href="{css}"><link rel="stylesheet" href="{style}"></head>
<body><main class="container py-5" style="max-width: 28rem">
<p><a href="/">{escape(t("app.judul", lang))}</a></p>
{body}
</main></body></html>"""
    response = Response(html_text, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _form(lang: str, next_path: str, username: str = "", error: str | None = None) -> str:
    alert = f'<div class="alert alert-danger" role="alert">{escape(error)}</div>' if error else ""
    return f"""<h1 class="h3 mb-3">{escape(t("akun.masuk_judul", lang))}</h1>
<p class="text-muted">{escape(t("akun.masuk_pengantar", lang))}</p>
{alert}
<form method="post" action="{SIGN_IN_PATH}" id="form-masuk">
<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token())}">
<input type="hidden" name="next" value="{escape(next_path)}">
<div class="mb-3"><label class="form-label" for="username">{escape(t("akun.nama", lang))}</label>
<input class="form-control" id="username" name="username" autocomplete="username" required
 maxlength="64" value="{escape(username)}"></div>
<div class="mb-3"><label class="form-label" for="password">{escape(t("akun.sandi", lang))}</label>
<input class="form-control" id="password" name="password" type="password"
 autocomplete="current-password" required maxlength="1024"></div>
<button class="btn btn-primary" type="submit" id="tombol-masuk">{escape(t("akun.masuk", lang))}
</button></form>"""


def register_sign_in(app: dash.Dash, settings: Settings) -> None:
    """The routes /masuk (GET the form, POST the credentials, rate limited) and /keluar."""
    server = app.server
    limiter = server.config[LIMITER]

    def refused_by_limit(_limit) -> Response:
        lang = language()
        record_audit(data_source().store, None, "masuk", "refused", ip=client_address(),
                     target=(request.form.get("username") or "")[:64] or None,
                     detail="rate limit")  # fmt: skip
        body = _form(
            lang, local_path(request.form.get("next")), error=t("akun.terlalu_sering", lang)
        )
        return _page(app, lang, t("akun.masuk_judul", lang), body, status=429)

    def sign_in():
        lang = language()
        title = t("akun.masuk_judul", lang)
        if request.method == "GET":
            if current_actor() is not None:
                return redirect(local_path(request.args.get("next")), code=303)
            return _page(app, lang, title, _form(lang, local_path(request.args.get("next"))))
        next_path = local_path(request.form.get("next"))
        username = (request.form.get("username") or "").strip()[:64]
        store = data_source().store
        if not csrf_valid(request.form.get(CSRF_FIELD)):
            record_audit(store, None, "masuk", "refused", target=username or None,
                         ip=client_address(), detail="CSRF token missing or wrong")  # fmt: skip
            body = _form(lang, next_path, username, t("akun.kedaluwarsa", lang))
            return _page(app, lang, title, body, status=400)
        user = authenticate(store, username, request.form.get("password") or "")
        if user is None:
            record_audit(store, None, "masuk", "failed", target=username or None,
                         ip=client_address())  # fmt: skip
            body = _form(lang, next_path, username, t("akun.salah", lang))
            return _page(app, lang, title, body, status=401)
        session.clear()  # no session fixation: a new session for the signed-in user
        login_user(SignedIn(user))
        mark_signed_in()
        record_audit(store, user.actor, "masuk", "ok", target=user.username, ip=client_address())
        return redirect(next_path, code=303)

    def sign_out():
        lang = language()
        actor = current_actor()
        if not csrf_valid(request.form.get(CSRF_FIELD)):
            body = f'<div class="alert alert-warning">{escape(t("akun.kedaluwarsa", lang))}</div>'
            return _page(app, lang, t("akun.keluar", lang), body, status=400)
        if actor is not None:
            record_audit(data_source().store, actor, "keluar", target=actor.name,
                         ip=client_address())  # fmt: skip
        logout_user()
        session.clear()
        return redirect("/", code=303)

    # the navbar's "Masuk" returns to the view shown now, filters included
    app.clientside_callback(
        """
        function (pathname, search) {
            return "ROUTE?next=" + encodeURIComponent((pathname || "/") + (search || ""));
        }
        """.replace("ROUTE", SIGN_IN_PATH),
        Output(f"{ID_AKUN}-masuk", "href"),
        Input(LOCATION, "pathname"),
        Input(LOCATION, "search"),
    )
    limited = limiter.limit(
        settings.signin_rate_limit, methods=["POST"], on_breach=refused_by_limit
    )(sign_in)
    server.add_url_rule(SIGN_IN_PATH, "dasbor_masuk", limited, methods=["GET", "POST"])
    server.add_url_rule(SIGN_OUT_PATH, "dasbor_keluar", sign_out, methods=["POST"])


def account_corner(lang: str) -> html.Div:
    """The navbar's "Masuk" link, or the signed-in user with a sign-out button (a form POST
    with the session's CSRF token)."""
    actor = current_actor()
    link_style = {"color": "rgba(255, 255, 255, 0.85)"}
    if actor is None:
        return html.Div(
            html.A(
                t("akun.masuk", lang), href=SIGN_IN_PATH, id=f"{ID_AKUN}-masuk", style=link_style
            ),  # fmt: skip
            id=ID_AKUN,
            className="ms-3 flex-shrink-0",
        )
    role = t(f"akun.peran.{actor.role}", lang)
    # kept (hidden) so the callback that points it at the current view always has its output
    hidden_link = html.A(id=f"{ID_AKUN}-masuk", href=SIGN_IN_PATH, className="d-none")
    scope = f" {actor.kode_kecamatan}" if actor.kode_kecamatan else ""
    return html.Div(
        [
            html.Span(
                f"{actor.name.split(':', 1)[-1]} ({role}{scope})",
                id=f"{ID_AKUN}-nama",
                className="small me-2",
                style=link_style,
            ),
            html.Form(
                [
                    dcc.Input(type="hidden", name=CSRF_FIELD, value=csrf_token()),
                    dbc.Button(
                        t("akun.keluar", lang),
                        type="submit",
                        size="sm",
                        color="light",
                        outline=True,
                        id=f"{ID_AKUN}-keluar",
                    ),  # fmt: skip
                ],
                method="POST",
                action=SIGN_OUT_PATH,
                className="d-inline",
            ),
            hidden_link,
        ],
        id=ID_AKUN,
        className="ms-3 d-flex align-items-center flex-shrink-0",
    )
