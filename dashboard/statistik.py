"""How the pages name a population statistic, in the UI language: the Kependudukan selector's
groups, what a statistic's total counts (its unit), what its "belum mengisi" means (its sisa),
and the texts of the rows that are not plain categories (issue 8).

Everything comes from the catalogue (config/statistik.toml: `unit`, `sisa`, `jenis`) and the
gettext catalogue (i18n/locale, keys stat.*).
"""

from __future__ import annotations

from dash import html

from aggregates.age_brackets import NOT_HARMONISED
from config.statistik import BY_SLUG, THEMES
from i18n.catalogue import DEFAULT_LANGUAGE, statistic_title, t

GROUP_PREFIX = "tema:"  # the value of a group's heading in the selector (never selectable)
RECIPIENTS = "jumlah"  # the aid statistics' row of distinct recipients


def unit_text(slug: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """What the statistic's total counts, in words ("penduduk wajib KTP (berumur …)")."""
    return t(f"stat.satuan.{BY_SLUG[slug].unit}", lang)


def unit_short(slug: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The same in a word or two, for the selector ("wajib KTP")."""
    return t(f"stat.satuan_pendek.{BY_SLUG[slug].unit}", lang)


def axis_title(slug: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The count axis of the statistic's chart ("Jumlah keluarga")."""
    return t(f"stat.sumbu.{BY_SLUG[slug].unit}", lang)


def sisa_text(slug: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """What the statistic's belum mengisi row counts: "Bukan penerima", "Tanpa akta
    kelahiran", …, or "Belum mengisi" where it means data not filled in."""
    stat = BY_SLUG[slug]
    if stat.sisa is None:
        return t("kategori.belum_mengisi", lang)
    return stat.sisa if lang == "id" else (stat.sisa_en or stat.sisa)


def category_names(slug: str, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The texts of a statistic's special rows by code (layouts' `names`): belum mengisi,
    an aid statistic's distinct recipients, age brackets not harmonised."""
    return {
        "belum_mengisi": sisa_text(slug, lang),
        RECIPIENTS: t("stat.kategori.jumlah", lang),
        NOT_HARMONISED: t("stat.kategori.tidak_diselaraskan", lang),
    }


def description(slug: str, lang: str = DEFAULT_LANGUAGE, *, harmonised: bool = False) -> str:
    """One or two sentences under the selector: what the total counts, what belum mengisi
    means; for the aid statistics that programmes overlap; with `harmonised`, that villages'
    age brackets were mapped onto the default ones."""
    stat = BY_SLUG[slug]
    parts = [
        t(
            "stat.keterangan",
            lang,
            statistik=statistic_title(slug, lang),
            satuan=unit_text(slug, lang),
        )
    ]
    if stat.jenis == "bantuan":
        parts.append(
            t("stat.keterangan_bantuan", lang, penerima=t("stat.kategori.jumlah", lang),
              sisa=sisa_text(slug, lang))
        )  # fmt: skip
    elif stat.sisa is not None:
        parts.append(t("stat.keterangan_sisa", lang, sisa=sisa_text(slug, lang)))
    else:
        parts.append(t("stat.keterangan_belum", lang, sisa=sisa_text(slug, lang)))
    if harmonised and stat.jenis == "umur":
        parts.append(
            t("stat.keterangan_selaras", lang, rest=t("stat.kategori.tidak_diselaraskan", lang))
        )
    return " ".join(parts)


def selector_options(lang: str = DEFAULT_LANGUAGE) -> list[dict]:
    """Every statistic, grouped by theme: a heading per theme (disabled), then its statistics,
    each with what its total counts; searchable by title, unit and theme."""
    options: list[dict] = []
    for theme, slugs in THEMES:
        name = t(f"stat.tema.{theme}", lang)
        options.append(
            {
                "label": html.Span(name, className="pilihan-grup"),
                "value": GROUP_PREFIX + theme,
                "disabled": True,
                "search": "",
            }
        )
        for slug in slugs:
            title, unit = statistic_title(slug, lang), unit_short(slug, lang)
            options.append(
                {
                    "label": html.Span(
                        [title, html.Span(f" · {unit}", className="pilihan-satuan")],
                        className="pilihan-statistik",
                    ),
                    "value": slug,
                    "search": f"{title} {unit} {name}",
                }
            )
    return options
