"""The laporan (issue 13): one printable report per region and period with the main figures of
every page: population, health, education, aid, village finance, projects, reporting status.

Every figure is read through the pages' own tables (the API twins, `dashboard.api.page_answer`),
so the laporan says what the pages and their CSVs say. `periode` is a year: Keuangan and
Pembangunan show that `tahun`, Kesehatan and Pendidikan that year at the yearly grain (where a
dataset has no data that year, its newest period, named). For a kabupaten the villages are
summed per kecamatan; for a kecamatan or a village each village is a row.

Routes: `/laporan?wilayah=&periode=` (HTML to print) and `/laporan.pdf` (the same page printed
by headless Chromium, `pdf_of`).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html
from flask import Response, request

from aggregates import finance as finance_tables
from aggregates import health_education as he
from aggregates.monitoring import KELAS
from aggregates.tables import periods_of
from config.datasets import BY_NAME as DATASETS
from dashboard.api import page_answer
from dashboard.api_resources import ApiError, stored_periods
from dashboard.api_xlsx import column_header, freshness_line
from dashboard.context import data_source, language
from dashboard.data import Snapshot
from dashboard.regions import Wilayah, display_name, resolve_wilayah
from dashboard.shell_ids import NAV_LINK
from i18n.catalogue import has_text, t
from i18n.format import format_date, format_number, format_percent
from layouts.report import Bar, Section, render_report

log = logging.getLogger(__name__)

ROUTE = "/laporan"
PDF_ROUTE = "/laporan.pdf"
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
PDF_TIMEOUT = 90  # seconds Chromium may take to print one laporan
_PDF_CACHE: dict[tuple, bytes] = {}  # (run, wilayah, periode, lang) → the PDF; small, per process
_PDF_CACHE_SIZE = 32
_PDF_LOCK = threading.Lock()  # one Chromium at a time: it is heavy, and a worker has 2 cores


class LaporanError(Exception):
    """A laporan that cannot be made; the message says what to change."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# -- the region and period -----------------------------------------------------------------
def years_of(snapshot: Snapshot) -> list[str]:
    """The years the warehouse has APBDes or projects for, newest first (the period choices:
    the ones the Keuangan and Pembangunan pages offer)."""
    periods = stored_periods(snapshot)  # the years need the periods only, not the values
    found = {p[:4] for p in periods_of(periods, finance_tables.APBDES)}
    found |= set(periods_of(periods, finance_tables.PEMBANGUNAN))
    return sorted(found, reverse=True)


def resolve(snapshot: Snapshot, args: Mapping[str, str]) -> tuple[Wilayah, str]:
    raw = (args.get("wilayah") or "").strip()
    w, unknown = resolve_wilayah(snapshot, raw or None)
    if unknown is not None:
        raise LaporanError(
            f"unknown region code {unknown!r}: give a kabupaten, kecamatan or desa code, "
            "dotted (17.03.06) or digits (170306)"
        )
    periode = (args.get("periode") or args.get("tahun") or "").strip()
    if not periode:
        years = years_of(snapshot)
        periode = years[0] if years else str(datetime.now(UTC).year)
    if len(periode) > 4 and periode[:4].isdigit() and not periode[4].isdigit():
        periode = periode[:4]  # a page's finer period (2026-03, 2026-S1): its year
    if not (periode.isdigit() and len(periode) == 4):
        raise LaporanError(f"periode {periode!r} is not a year: give e.g. periode=2026")
    return w, periode


# -- reading the pages' tables -------------------------------------------------------------
def _answer(page: str, table: str, w: Wilayah, **choices: str):
    args = {"wilayah": w.kode or "", **{k: v for k, v in choices.items() if v}}
    if not args["wilayah"]:
        del args["wilayah"]
    return page_answer(page, table, args)


def _answer_or_none(page: str, table: str, w: Wilayah, **choices: str):
    try:
        return _answer(page, table, w, **choices)
    except ApiError:
        return None


def _group(frame: pd.DataFrame, w: Wilayah) -> tuple[list[str], str]:
    """The columns a table is summed by: per kecamatan for a kabupaten, else per village."""
    if w.tingkat == "kabupaten" and "nama_kecamatan" in frame:
        return ["nama_kecamatan"], "kecamatan"
    return ["nama_desa"], "desa"


def _summed(frame: pd.DataFrame, w: Wilayah, measures: Sequence[str]) -> tuple[pd.DataFrame, str]:
    keys, level = _group(frame, w)
    cols = [m for m in measures if m in frame]
    numbers = frame[keys + cols].copy()
    for c in cols:
        numbers[c] = pd.to_numeric(numbers[c], errors="coerce")
    out = numbers.groupby(keys, sort=True, dropna=False)[cols].sum(min_count=1).reset_index()
    return out, level


def _num(value: object, lang: str) -> str:
    return format_number(value, lang)


def _rp(value: object, lang: str) -> str:
    return "Rp " + format_number(value, lang)


def _header(col: str, lang: str, page: str | None = None) -> str:
    return column_header(col, lang, page)


def _name_head(level: str, lang: str) -> str:
    return t(f"tingkat.{level}", lang)


def _figures_table(
    frame: pd.DataFrame,
    w: Wilayah,
    measures: Sequence[str],
    lang: str,
    money: bool = False,
    page: str | None = None,
) -> tuple[list[str], list[list[str]], list[bool], list[Bar], dict[str, float]]:
    """(head, rows, numeric flags, bars of the first measure, totals) of a table summed by
    kecamatan or village."""
    summed, level = _summed(frame, w, measures)
    cols = [m for m in measures if m in summed]
    fmt = _rp if money else _num
    key = summed.columns[0]
    head = [_name_head(level, lang), *(_header(c, lang, page) for c in cols)]
    rows = [[str(r[key]), *(fmt(r[c], lang) for c in cols)] for _, r in summed.iterrows()]
    totals = {c: float(pd.to_numeric(frame[c], errors="coerce").sum()) for c in cols}
    bars = []
    if cols:
        first = cols[0]
        bars = [
            Bar(str(r[key]), float(r[first]), fmt(r[first], lang))
            for _, r in summed.iterrows()
            if pd.notna(r[first])
        ]
    return head, rows, [False, *([True] * len(cols))], bars, totals


def _fresh(snapshot: Snapshot, w: Wilayah, resource: str, ans, lang: str) -> str:
    return freshness_line(snapshot, w, resource, ans, lang)


# -- the sections --------------------------------------------------------------------------
def population(snapshot: Snapshot, w: Wilayah, lang: str) -> Section:
    ans = _answer("ringkasan", "desa", w)
    measures = ["penduduk", "laki_laki", "perempuan", "keluarga"]
    head, rows, numeric, bars, totals = _figures_table(
        ans.table, w, measures, lang, page="ringkasan"
    )
    melapor, total = ans.meta["desa_melapor"], ans.meta["desa_total"]
    figures = [(_header(m, lang, "ringkasan"), _num(totals.get(m), lang)) for m in measures]
    figures.append((t("laporan.desa_melapor", lang), f"{melapor} / {total}"))
    return Section(
        "penduduk",
        t("laporan.bagian.penduduk", lang),
        note=_fresh(snapshot, w, "halaman/ringkasan/desa", ans, lang),
        figures=figures,
        chart_title=t("laporan.grafik", lang, ukuran=_header("penduduk", lang, "ringkasan")),
        bars=bars,
        head=head,
        rows=rows,
        numeric=numeric,
        empty=t("laporan.kosong", lang),
    )


def _period_answer(page: str, dataset: str, w: Wilayah, periode: str):
    """The dataset's table for the year (yearly grain), else its newest period."""
    ans = None
    if "tahun" in he.grains(dataset):
        ans = _answer_or_none(page, "desa", w, data=dataset, skala="tahun", periode=periode)
    return ans or _answer_or_none(page, "desa", w, data=dataset)


def periodic(snapshot: Snapshot, w: Wilayah, periode: str, lang: str, page: str) -> Section:
    """Kesehatan or Pendidikan: each dataset's counts summed over the year, per region."""
    datasets = he.HEALTH if page == "kesehatan" else he.EDUCATION
    parts_rows: list[list[str]] = []
    figures: list[tuple[str, str]] = []
    notes: list[str] = []
    bars: list[Bar] = []
    chart = ""
    for ds in datasets:
        ans = _period_answer(page, ds, w, periode)
        judul = DATASETS[ds].judul if lang == "id" else DATASETS[ds].title
        if ans is None or ans.table.empty:
            parts_rows.append([judul, "", t("laporan.tanpa_data", lang), ""])
            continue
        filters = ans.meta["filters"]
        prefix = "kes" if page == "kesehatan" else "pdk"
        grain = str(filters.get("skala") or "")
        grain_key = f"{prefix}.skala.{grain}"
        grain_text = t(grain_key, lang) if has_text(grain_key, lang) else grain
        shown = f"{grain_text} {filters.get('periode') or ''}".strip()
        stored = [c for c in he.stored_measures(ans.table, ds) if c in ans.table]
        values = ans.table[stored].apply(pd.to_numeric, errors="coerce")
        if not filters.get("periode") or not values.notna().any().any():
            parts_rows.append([judul, "", t("laporan.tanpa_data", lang), ""])
            continue
        percent = set(DATASETS[ds].percent)
        measures = [c for c in stored if c not in percent and not c.startswith("persen")]
        melapor = int(values.notna().any(axis=1).sum())
        notes.append(f"{judul}: {_fresh(snapshot, w, f'halaman/{page}/desa', ans, lang)}")
        for m in measures:
            total = pd.to_numeric(ans.table[m], errors="coerce").sum()
            parts_rows.append([judul, shown, _header(m, lang, page), _num(total, lang)])
        if not measures:
            parts_rows.append([judul, shown, t("laporan.hanya_persen", lang), ""])
        if measures and not bars:
            _, _, _, bars, totals = _figures_table(ans.table, w, measures[:1], lang, page=page)
            chart = f"{judul} · {_header(measures[0], lang, page)} ({shown})"
            figures.append(
                (f"{judul}: {_header(measures[0], lang, page)}", _num(totals[measures[0]], lang))
            )
        figures.append((t("laporan.desa_dengan_data", lang, dataset=judul), str(melapor)))
    head = [
        t("laporan.th.dataset", lang),
        t("laporan.th.periode", lang),
        t("laporan.th.ukuran", lang),
        t("laporan.th.jumlah", lang),
    ]
    return Section(
        page,
        t(f"laporan.bagian.{page}", lang),
        note=" · ".join(notes[:1]),
        figures=figures,
        chart_title=chart,
        bars=bars,
        head=head,
        rows=parts_rows,
        numeric=[False, False, False, True],
        extra=notes[1:],
    )


def aid(snapshot: Snapshot, w: Wilayah, lang: str) -> Section:
    ans = _answer("bantuan", "sasaran", w)
    frame = ans.table
    cols = ["jumlah_program", "kepesertaan", "penerima", "desa"]
    head = [_header("sasaran", lang, "bantuan"), *(_header(c, lang, "bantuan") for c in cols)]
    rows, bars = [], []
    for _, r in frame.iterrows():
        name = (
            t(f"bnt.sasaran.{int(r['sasaran'])}", lang)
            if has_text(f"bnt.sasaran.{int(r['sasaran'])}", lang)
            else str(r["sasaran"])
        )
        rows.append([name, *(_num(r[c], lang) if pd.notna(r[c]) else "–" for c in cols)])
        if pd.notna(r["kepesertaan"]):
            bars.append(Bar(name, float(r["kepesertaan"]), _num(r["kepesertaan"], lang)))
    programmes = pd.to_numeric(frame["jumlah_program"]).sum() if not frame.empty else None
    figures = [(_header("jumlah_program", lang, "bantuan"), _num(programmes, lang))]
    return Section(
        "bantuan",
        t("laporan.bagian.bantuan", lang),
        note=_fresh(snapshot, w, "halaman/bantuan/sasaran", ans, lang),
        figures=figures,
        chart_title=t("laporan.grafik", lang, ukuran=_header("kepesertaan", lang, "bantuan")),
        bars=bars,
        head=head,
        rows=rows,
        numeric=[False, True, True, True, True],
        empty=t("laporan.kosong", lang),
        extra=[t("laporan.bantuan_catatan", lang)],
    )


def finance(snapshot: Snapshot, w: Wilayah, periode: str, lang: str) -> Section:
    ans = _answer_or_none("keuangan", "apbdes", w, tahun=periode)
    title = t("laporan.bagian.keuangan", lang, tahun=periode)
    if ans is None:
        return Section("keuangan", title, empty=t("laporan.tanpa_tahun", lang, tahun=periode))
    measures = ["anggaran_belanja", "realisasi_belanja", "anggaran_pendapatan",
                "realisasi_pendapatan", "dana_desa", "alokasi_dana_desa"]  # fmt: skip
    head, rows, numeric, bars, totals = _figures_table(
        ans.table, w, measures, lang, money=True, page="keuangan"
    )
    spent, budget = totals.get("realisasi_belanja", 0), totals.get("anggaran_belanja", 0)
    figures = [(_header(m, lang, "keuangan"), _rp(totals.get(m), lang)) for m in measures[:2]]
    serapan = 100 * spent / budget if budget else None
    figures.append((_header("serapan_belanja", lang, "keuangan"), format_percent(serapan, lang)))
    figures += [(_header(m, lang, "keuangan"), _rp(totals.get(m), lang)) for m in measures[4:]]
    return Section(
        "keuangan",
        title,
        note=_fresh(snapshot, w, "halaman/keuangan/apbdes", ans, lang),
        figures=figures,
        chart_title=t("laporan.grafik", lang, ukuran=_header("anggaran_belanja", lang, "keuangan")),
        bars=bars,
        head=head,
        rows=rows,
        numeric=numeric,
        empty=t("laporan.kosong", lang),
        landscape=True,
    )


def projects(snapshot: Snapshot, w: Wilayah, periode: str, lang: str) -> Section:
    ans = _answer_or_none("pembangunan", "kegiatan", w, tahun=periode)
    title = t("laporan.bagian.pembangunan", lang, tahun=periode)
    if ans is None:
        return Section("pembangunan", title, empty=t("laporan.tanpa_tahun", lang, tahun=periode))
    frame = ans.table.assign(kegiatan=1)
    head, rows, numeric, bars, totals = _figures_table(
        frame, w, ["anggaran", "kegiatan"], lang, page="pembangunan"
    )
    rows = [[r[0], "Rp " + r[1], r[2]] for r in rows]
    bars = [Bar(b.label, b.value, "Rp " + b.text) for b in bars]
    progres = pd.to_numeric(frame["progres"], errors="coerce")
    figures = [
        (t("laporan.jumlah_kegiatan", lang), _num(len(frame), lang)),
        (_header("anggaran", lang, "pembangunan"), _rp(totals.get("anggaran"), lang)),
        (t("laporan.progres_rata", lang), format_percent(progres.mean(), lang)),
    ]
    return Section(
        "pembangunan",
        title,
        note=_fresh(snapshot, w, "halaman/pembangunan/kegiatan", ans, lang),
        figures=figures,
        chart_title=t("laporan.grafik", lang, ukuran=_header("anggaran", lang, "pembangunan")),
        bars=bars,
        head=[head[0], head[1], t("laporan.jumlah_kegiatan", lang)],
        rows=rows,
        numeric=numeric,
        empty=t("laporan.kosong", lang),
    )


def reporting(snapshot: Snapshot, w: Wilayah, lang: str) -> Section:
    desa = _answer("pemantauan", "desa", w)
    frame = desa.table
    counts = frame["keadaan"].value_counts() if "keadaan" in frame else pd.Series(dtype=int)
    figures = [(t("laporan.desa_terdaftar", lang), _num(len(frame), lang))]
    figures += [
        (t(f"pmt.keadaan.{k}", lang) if has_text(f"pmt.keadaan.{k}", lang) else k,
         _num(int(counts.get(k, 0)), lang))
        for k in ("baik", "gagal", "tertinggal", "belum_pernah")
    ]  # fmt: skip
    summary = _answer("pemantauan", "kecamatan", w).table
    cols = ["desa", *KELAS, "melapor", "gagal", "persen_melapor"]
    cols = [c for c in cols if c in summary]
    head = [
        _header("nama_kecamatan", lang, "pemantauan"),
        *(_header(c, lang, "pemantauan") for c in cols),
    ]
    rows = [
        [str(r["nama_kecamatan"]),
         *(format_percent(r[c], lang) if c.startswith("persen") else _num(r[c], lang)
           for c in cols)]
        for _, r in summary.iterrows()
    ]  # fmt: skip
    failing = frame[frame.get("keadaan", pd.Series(dtype=str)) == "gagal"] if len(frame) else frame
    extra = []
    if len(failing):
        names = ", ".join(str(n) for n in failing["nama_desa"].head(30))
        extra.append(t("laporan.desa_gagal", lang, n=len(failing), daftar=names))
    bars = [
        Bar(str(r["nama_kecamatan"]), float(r["persen_melapor"] or 0),
            format_percent(r["persen_melapor"], lang))
        for _, r in summary.iterrows() if "persen_melapor" in summary
    ]  # fmt: skip
    return Section(
        "pelaporan",
        t("laporan.bagian.pelaporan", lang),
        note=_fresh(snapshot, w, "halaman/pemantauan/desa", desa, lang),
        figures=figures,
        chart_title=t("laporan.grafik", lang, ukuran=_header("persen_melapor", lang, "pemantauan")),
        bars=bars if len(bars) > 1 else [],
        head=head,
        rows=rows,
        numeric=[False, *([True] * len(cols))],
        extra=extra,
    )


def sections_of(snapshot: Snapshot, w: Wilayah, periode: str, lang: str) -> list[Section]:
    return [
        population(snapshot, w, lang),
        periodic(snapshot, w, periode, lang, "kesehatan"),
        periodic(snapshot, w, periode, lang, "pendidikan"),
        aid(snapshot, w, lang),
        finance(snapshot, w, periode, lang),
        projects(snapshot, w, periode, lang),
        reporting(snapshot, w, lang),
    ]


def report_html(args: Mapping[str, str], lang: str, *, for_pdf: bool = False) -> str:
    """The laporan of the request's region and period as one HTML document."""
    snapshot = data_source().snapshot()
    w, periode = resolve(snapshot, args)
    region = display_name(w, lang) or t("xlsx.semua_wilayah", lang)
    printed = format_date(datetime.now(UTC), lang)
    lines = [
        t("xlsx.wilayah", lang, wilayah=region, kode=w.kode or "-"),
        t("laporan.periode", lang, periode=periode),
        t("laporan.dicetak", lang, waktu=printed),
    ]
    query = {"wilayah": w.kode or "", "periode": periode}
    tools = [] if for_pdf else [(t("laporan.unduh_pdf", lang), f"{PDF_ROUTE}?{urlencode(query)}")]
    title = t("laporan.judul", lang, wilayah=region)
    head = " · ".join([title, lines[1], lines[2]])
    return render_report(
        title=title,
        lines=lines,
        sections=sections_of(snapshot, w, periode, lang),
        page_head=head,
        lang=lang,
        tools=tools,
    )


# -- PDF -----------------------------------------------------------------------------------
def chromium_path() -> str | None:
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_of(html_text: str) -> bytes:
    """The HTML printed to PDF by headless Chromium (A4, the document's own @page rules)."""
    binary = chromium_path()
    if binary is None:
        raise LaporanError(
            "PDF needs Chromium: install it (`make browser`, Debian package chromium)", 503
        )
    with _PDF_LOCK, tempfile.TemporaryDirectory(prefix="dasbor-laporan-") as tmp:
        page = Path(tmp) / "laporan.html"
        out = Path(tmp) / "laporan.pdf"
        page.write_text(html_text, encoding="utf-8")
        cmd = [
            binary,
            "--headless=new",
            "--no-sandbox",  # root in containers; the page is ours and has no script
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--disable-extensions",
            "--no-first-run",
            f"--user-data-dir={Path(tmp) / 'profil'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=PDF_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise LaporanError("Chromium took too long to print the laporan", 503) from None
        if not out.exists() or out.stat().st_size == 0:
            raise LaporanError("Chromium could not print the laporan (see the server log)", 503)
        return out.read_bytes()


def report_pdf(args: Mapping[str, str], lang: str) -> bytes:
    snapshot = data_source().snapshot()
    w, periode = resolve(snapshot, args)
    key = (snapshot.run_id, w.kode, periode, lang, datetime.now(UTC).date())
    cached = _PDF_CACHE.get(key)
    if cached is not None:
        return cached
    body = pdf_of(report_html(args, lang, for_pdf=True))
    if len(_PDF_CACHE) >= _PDF_CACHE_SIZE:
        _PDF_CACHE.pop(next(iter(_PDF_CACHE)))
    _PDF_CACHE[key] = body
    return body


def file_stem(args: Mapping[str, str]) -> str:
    snapshot = data_source().snapshot()
    w, periode = resolve(snapshot, args)
    return f"laporan_{w.kode or 'semua'}_{periode}"


def _error_page(exc: LaporanError, lang: str) -> Response:
    text = (
        f'<!DOCTYPE html><html lang="{lang}"><meta charset="utf-8"><title>Laporan</title>'
        f"<p>{escape(exc.message)}</p></html>"
    )
    return Response(text, status=exc.status, mimetype="text/html")


def laporan_nav_link(lang: str) -> dbc.NavItem:
    """ "Laporan" in the navbar: the shell's nav callback gives it the page's query (its region
    and year); a full page load, since /laporan is no Dash page."""
    return dbc.NavItem(
        dbc.NavLink(
            html.Span(t("laporan.nav", lang), title=t("laporan.cetak", lang)),
            id={"type": NAV_LINK, "path": ROUTE},
            href=ROUTE,
            external_link=True,
            className="laporan-tautan",
        )
    )


def register_laporan_routes(app: dash.Dash) -> None:
    """/laporan (HTML) and /laporan.pdf on the app's Flask server."""

    def html_view() -> Response:
        lang = language()
        try:
            return Response(report_html(request.args, lang), mimetype="text/html")
        except LaporanError as exc:
            return _error_page(exc, lang)

    def pdf_view() -> Response:
        lang = language()
        try:
            body = report_pdf(request.args, lang)
            stem = file_stem(request.args)
        except LaporanError as exc:
            return _error_page(exc, lang)
        resp = Response(body, mimetype="application/pdf")
        resp.headers["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
        return resp

    app.server.add_url_rule(ROUTE, endpoint="dasbor_laporan", view_func=html_view)
    app.server.add_url_rule(PDF_ROUTE, endpoint="dasbor_laporan_pdf", view_func=pdf_view)
