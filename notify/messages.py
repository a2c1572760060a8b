"""The words of alerts: one message per recipient and check, in the recipient's language,
naming the village, the dataset and what is wrong, each with a link to its page.

A message is plain text (e-mail's first part), HTML (e-mail's second part) and Telegram's
HTML subset (no tables, newlines kept), all from the same lines.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from config.datasets import BY_NAME
from i18n.alerts import decode_values, describe
from i18n.catalogue import t
from i18n.format import format_number

MAX_LINES = 40  # alerts listed in one message; the rest are counted, with a link to all
TELEGRAM_CHARS = 4000  # the bot API refuses a text over 4096 characters


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    telegram: str


@dataclass(frozen=True)
class Line:
    """One alert in words: where (village, kecamatan), what is wrong, and its page."""

    where: str
    what: str
    url: str


def page_url(base: str, path: str, **query: str) -> str:
    q = {k: v for k, v in query.items() if v}
    return base.rstrip("/") + path + (("?" + urlencode(q)) if q else "")


def line(row: Mapping, names: Mapping[str, str], base_url: str, lang: str) -> Line:
    """One alert row (aggregates.alerts.ALERT_COLUMNS or a stored state) in words."""
    desa, kec = row.get("kode_desa"), row.get("kode_kecamatan")
    where = t(
        "alert.tempat",
        lang,
        desa=names.get(desa, desa or ""),
        kode=desa or "",
        kecamatan=names.get(kec, kec or ""),
    )
    if row["rule"] == "tenggat":
        p = decode_values(row.get("params"))
        grain = BY_NAME[row["dataset"]].grain if row.get("dataset") in BY_NAME else ""
        page = "/kesehatan" if grain == "bulan" else "/pendidikan"
        url = page_url(base_url, page, wilayah=kec or "", periode=str(p.get("periode", "")))
    elif row["rule"] == "pencilan":
        url = page_url(base_url, "/pemantauan", wilayah=kec or "")
    else:
        url = page_url(base_url, f"/desa/{desa}")
    return Line(where, describe(row["rule"], row.get("dataset"), row.get("params"), lang), url)


def _grouped(rows: Sequence[Mapping], lang: str) -> list[tuple[str, list[Mapping]]]:
    """Rows by rule, in the rules' order, for headings."""
    from aggregates.alerts import RULES

    by_rule: dict[str, list[Mapping]] = {}
    for r in rows:
        by_rule.setdefault(r["rule"], []).append(r)
    return [(t(f"alert.nama.{rule}", lang), by_rule[rule]) for rule in RULES if rule in by_rule]


def _render(
    subject: str,
    heading: str,
    intro: str,
    sections: list[tuple[str, list[Line]]],
    more: int,
    more_url: str,
    lang: str,
) -> Message:
    footer = t("alert.kaki", lang)
    link_text = t("alert.buka", lang)
    text = [heading, "", intro, ""]
    parts = [
        '<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;'
        'font-size:14px;color:#1f2933;max-width:680px">',
        f'<h2 style="color:#1f4e79;margin:0 0 8px">{html.escape(heading)}</h2>',
        f"<p>{html.escape(intro)}</p>",
    ]
    tg = [f"<b>{html.escape(heading)}</b>", html.escape(intro), ""]
    for title, lines in sections:
        text += [title, *[f"- {x.where}: {x.what}\n  {x.url}" for x in lines], ""]
        parts.append(f'<h3 style="margin:16px 0 4px">{html.escape(title)}</h3><ul>')
        parts += [
            f"<li><b>{html.escape(x.where)}</b>: {html.escape(x.what)} "
            f'<a href="{html.escape(x.url)}">{html.escape(link_text)}</a></li>'
            for x in lines
        ]
        parts.append("</ul>")
        tg.append(f"<b>{html.escape(title)}</b>")
        tg += [
            f'• {html.escape(x.where)}: {html.escape(x.what)} <a href="{html.escape(x.url)}">'
            f"{html.escape(link_text)}</a>"
            for x in lines
        ]
        tg.append("")
    if more:
        said = t("alert.lainnya", lang, n=format_number(more, lang))
        text += [f"{said} {more_url}", ""]
        parts.append(f'<p>{html.escape(said)} <a href="{html.escape(more_url)}">{more_url}</a></p>')
        tg.append(f'{html.escape(said)} <a href="{html.escape(more_url)}">Pemantauan</a>')
    text.append(footer)
    parts.append(f'<p style="color:#66788a;font-size:12px">{html.escape(footer)}</p></body></html>')
    telegram = "\n".join(tg).strip()
    if len(telegram) > TELEGRAM_CHARS:  # cut at a line, never inside a tag
        telegram = telegram[:TELEGRAM_CHARS].rsplit("\n", 1)[0] + "\n…"
    return Message(subject, "\n".join(text), "\n".join(parts), telegram)


def notice(
    kind: str,
    rows: Sequence[Mapping],
    names: Mapping[str, str],
    base_url: str,
    lang: str,
    *,
    kode_kecamatan: str | None = None,
) -> Message:
    """The message of newly opened (`kind` "open") or cleared ("clear") alerts."""
    shown, more = list(rows[:MAX_LINES]), max(0, len(rows) - MAX_LINES)
    sections = [
        (title, [line(r, names, base_url, lang) for r in group])
        for title, group in _grouped(shown, lang)
    ]
    n = format_number(len(rows), lang)
    key = "buka" if kind == "open" else "pulih"
    return _render(
        t(f"alert.subjek.{key}", lang, n=n),
        t(f"alert.judul.{key}", lang),
        t(f"alert.pengantar.{key}", lang, n=n),
        sections,
        more,
        page_url(base_url, "/pemantauan", wilayah=kode_kecamatan or ""),
        lang,
    )


def digest(
    kode_kecamatan: str | None,
    counts: Mapping[str, int],
    open_rows: Sequence[Mapping],
    names: Mapping[str, str],
    base_url: str,
    lang: str,
    *,
    week: str,
    per_kecamatan: Sequence[Line] | None = None,
) -> Message:
    """The weekly digest of one kecamatan (None: every kecamatan, for the admins): its
    villages' state, the week's opened and cleared alerts, and the alerts still open."""
    wilayah = (
        names.get(kode_kecamatan, kode_kecamatan)
        if kode_kecamatan
        else t("alert.ringkasan.semua", lang)
    )
    intro = " ".join(
        [
            _desa_counts(counts, lang),
            t(
                "alert.ringkasan.minggu",
                lang,
                buka=format_number(counts.get("dibuka", 0), lang),
                pulih=format_number(counts.get("pulih", 0), lang),
                terbuka=format_number(len(open_rows), lang),
            ),
        ]
    )
    shown, more = list(open_rows[:MAX_LINES]), max(0, len(open_rows) - MAX_LINES)
    sections = [
        (title, [line(r, names, base_url, lang) for r in group])
        for title, group in _grouped(shown, lang)
    ]
    if per_kecamatan:
        sections.insert(0, (t("alert.ringkasan.per_kecamatan", lang), list(per_kecamatan)))
    if not open_rows:
        intro += " " + t("alert.ringkasan.nihil", lang)
    return _render(
        t("alert.subjek.ringkasan", lang, wilayah=wilayah, minggu=week),
        t("alert.ringkasan.judul", lang, wilayah=wilayah, minggu=week),
        intro,
        sections,
        more,
        page_url(base_url, "/pemantauan", wilayah=kode_kecamatan or ""),
        lang,
    )


def _desa_counts(counts: Mapping[str, int], lang: str) -> str:
    return t(
        "alert.ringkasan.desa",
        lang,
        desa=format_number(counts.get("desa", 0), lang),
        baik=format_number(counts.get("baik", 0), lang),
        gagal=format_number(counts.get("gagal", 0), lang),
        tertinggal=format_number(counts.get("tertinggal", 0), lang),
        belum=format_number(counts.get("belum_pernah", 0), lang),
    )


def kecamatan_line(
    kode: str, counts: Mapping[str, int], opened: int, names: Mapping[str, str], base_url: str,
    lang: str,
) -> Line:  # fmt: skip
    """A kecamatan in the admins' digest: its villages' state and its open alerts."""
    what = (
        _desa_counts(counts, lang)
        + " "
        + t("alert.ringkasan.terbuka_kecamatan", lang, n=format_number(opened, lang))
    )
    where = t("alert.kecamatan", lang, kecamatan=names.get(kode, kode))
    return Line(where, what, page_url(base_url, "/pemantauan", wilayah=kode))
