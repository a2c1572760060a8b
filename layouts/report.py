"""The laporan as one HTML document (issue 13): sections of headline figures, a bar chart as
inline SVG and a table, A4 print rules inline. Pure: texts and numbers in, a string out; no
asset, font or script from anywhere, so it prints the same offline and in headless Chromium.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

BAR_ROWS = 25  # a chart of more bars than this shows the largest ones (the table has all)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the page's language writes it


@dataclass(frozen=True)
class Section:
    """One part of the laporan: a title, its freshness line, key figures, a chart, a table."""

    key: str  # a stable id (the HTML id of the section)
    title: str
    note: str = ""  # "data per …, N dari M desa"
    figures: Sequence[tuple[str, str]] = ()  # (label, value text)
    chart_title: str = ""
    bars: Sequence[Bar] = ()
    head: Sequence[str] = ()
    rows: Sequence[Sequence[str]] = ()
    numeric: Sequence[bool] = ()  # per column: right-aligned
    empty: str = ""  # said when there is no table
    extra: Sequence[str] = field(default_factory=tuple)  # lines under the table
    landscape: bool = False  # a wide table: its page turns


CSS = """
@page { size: A4 portrait; margin: 14mm 12mm 16mm 12mm; }
@page wide { size: A4 landscape; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt;
       color: #1b1b1b; margin: 0; }
header.laporan-kepala { border-bottom: 2px solid #154360; margin-bottom: 6mm; padding-bottom: 2mm; }
header.laporan-kepala h1 { font-size: 17pt; margin: 0 0 1mm 0; color: #154360; }
header.laporan-kepala p { margin: 0.5mm 0; }
.kepala-halaman { font-size: 8pt; color: #555; border-bottom: 1px solid #ccc;
                  margin-bottom: 3mm; padding-bottom: 1mm; }
section { break-before: page; }
section:first-of-type { break-before: auto; }
section.lebar { page: wide; }
h2 { font-size: 13pt; color: #154360; margin: 0 0 1mm 0; }
h3 { font-size: 10.5pt; margin: 3mm 0 1mm 0; }
.catatan { color: #444; font-size: 8.5pt; margin: 0 0 3mm 0; }
.angka-utama { display: flex; flex-wrap: wrap; gap: 3mm; margin: 0 0 3mm 0; }
.angka-utama div { border: 1px solid #c9d6e3; border-radius: 2mm; padding: 2mm 3mm;
                   min-width: 38mm; break-inside: avoid; }
.angka-utama b { display: block; font-size: 13pt; }
.angka-utama span { font-size: 8pt; color: #444; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 1px solid #c9d6e3; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #e8eef5; }
td.n, th.n { text-align: right; white-space: nowrap; }
svg { display: block; margin: 1mm 0 3mm 0; max-width: 100%; }
svg text { font-family: inherit; font-size: 8px; fill: #1b1b1b; }
.alat { margin: 0 0 4mm 0; }
.alat a { display: inline-block; padding: 1.5mm 3mm; border: 1px solid #154360;
          border-radius: 1.5mm; color: #154360; text-decoration: none; margin-right: 2mm; }
@media print { .alat { display: none; } }
"""


def bar_svg(bars: Sequence[Bar], *, width: int = 640) -> str:
    """Horizontal bars, largest first, as inline SVG (labels left, values right)."""
    shown = sorted(bars, key=lambda b: -b.value)[:BAR_ROWS]
    if not shown:
        return ""
    row, label_w, value_w = 14, 170, 90
    top = max((b.value for b in shown), default=0) or 1
    plot = width - label_w - value_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(shown) + 4}"'
        f' viewBox="0 0 {width} {row * len(shown) + 4}" role="img">'
    ]
    for i, b in enumerate(shown):
        y = i * row + 2
        w = max(0.0, b.value) / top * plot
        label = b.label if len(b.label) <= 32 else b.label[:31] + "…"
        parts.append(
            f'<text x="{label_w - 4}" y="{y + 10}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 1}" width="{w:.1f}" height="{row - 4}" fill="#2e86c1"/>'
            f'<text x="{label_w + w + 3:.1f}" y="{y + 10}">{escape(b.text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(s: Section) -> str:
    if not s.rows:
        return f'<p class="catatan">{escape(s.empty)}</p>' if s.empty else ""
    numeric = list(s.numeric) + [False] * (len(s.head) - len(s.numeric))

    def cls(j: int) -> str:
        return ' class="n"' if numeric[j] else ""

    head = "".join(f"<th{cls(j)}>{escape(h)}</th>" for j, h in enumerate(s.head))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(j)}>{escape(c)}</td>" for j, c in enumerate(r)) + "</tr>"
        for r in s.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_report(
    *,
    title: str,
    lines: Sequence[str],
    sections: Sequence[Section],
    page_head: str,
    lang: str,
    tools: Sequence[tuple[str, str]] = (),
) -> str:
    """The whole laporan: `title` and `lines` (region, period, print date) on top, then each
    section on a page of its own, `page_head` above each; `tools` (label, href) are links shown
    on screen only (the PDF download)."""
    out = [
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f'<header class="laporan-kepala"><h1>{escape(title)}</h1>',
        *(f"<p>{escape(x)}</p>" for x in lines),
        "</header>",
    ]
    if tools:
        links = "".join(f'<a href="{escape(h)}">{escape(label)}</a>' for label, h in tools)
        out.append(f'<p class="alat">{links}</p>')
    for s in sections:
        out.append(f'<section id="{escape(s.key)}"' + (' class="lebar">' if s.landscape else ">"))
        out.append(f'<div class="kepala-halaman">{escape(page_head)}</div>')
        out.append(f"<h2>{escape(s.title)}</h2>")
        if s.note:
            out.append(f'<p class="catatan">{escape(s.note)}</p>')
        if s.figures:
            cards = "".join(
                f"<div><b>{escape(v)}</b><span>{escape(k)}</span></div>" for k, v in s.figures
            )
            out.append(f'<div class="angka-utama">{cards}</div>')
        if s.bars:
            if s.chart_title:
                out.append(f"<h3>{escape(s.chart_title)}</h3>")
            out.append(bar_svg(s.bars))
        out.append(_table(s))
        out.extend(f'<p class="catatan">{escape(x)}</p>' for x in s.extra)
        out.append("</section>")
    out.append("</body></html>")
    return "".join(out)
