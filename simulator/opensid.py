"""OpenSID 2508's `internal_api`, answered from a village record as the real code answers.

The reference is tests/fixtures/opensid-2508 (a real 2508.0.0 recorded byte for byte) and
OpenSID's own code (LaporanPenduduk, Libraries/Statistik, the repositories, fractal's
JsonApiSerializer, spatie/laravel-json-api-paginate). Facts carried over, in short:

- routes: `statistik/{key}`, `pembangunan`, `peserta_bantuan/{key}`, `wilayah/administratif`;
  any other path (and `statistik` without a key): HTTP 404 with an HTML page, as CodeIgniter;
- JSON as PHP's json_encode writes it (`\\/`, `\\uXXXX`), `application/json; charset=utf-8`;
  no version header, nothing that names the village;
- `statistik/{key}`: the flat JSON:API shape; category rows with the reference table's own
  columns (age brackets: config_id, dari, sampai, status; KB: sex; KTP/KIA: ktp_el,
  status_rekam), then 666 JUMLAH, 777 BELUM MENGISI, 888 TOTAL with their own key orders;
  counts as numbers except key 14's empty categories ("0", "0%", and a `no`); percentages
  `persen2()` strings with a decimal comma; statistics joined with a condition (hamil,
  buku-nikah, bpjs-tenagakerja) and the GROUP BY ones (suku, status-asuransi-kesehatan) list
  only categories that have someone; bdt drops its rows; an unknown key is pendidikan dalam
  KK (key 0); `?tahun` matters for bantuan only (non-numeric: HTTP 500, empty body);
- bantuan: a row per programme running in `?tahun` (every programme without it), 666
  PENERIMA = distinct recipients, 777 BUKAN PENERIMA, 888 TOTAL; `50<id>`: PESERTA /
  BUKAN PESERTA / TOTAL only, an unknown programme with 888's laki/perempuan null; the
  percentages keep OpenSID's own oddities (a programme row's persen1 is total men / its men);
- pembangunan, peserta_bantuan, wilayah/administratif: paginated by spatie's rules (size 30 by
  default and at most, links self/first/prev/next/last as absolute URLs keeping the other
  query parameters), a page past the end has empty data.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote, unquote_plus

from config.statistik import BY_KEY, StatDef
from simulator import people
from simulator.http import Reply
from simulator.records import (
    Dusun,
    Programme,
    Project,
    VillageRecord,
    recipient_counts,
    running,
    sex_counts,
)
from simulator.synthetic import find_statistic

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=UTF-8"
JUMLAH, BELUM_MENGISI, TOTAL = "666", "777", "888"
PAGE_SIZE = 30  # json-api-paginate: default_size and max_results
DEFAULT_KEY = "0"  # what an unknown statistic key answers with: pendidikan dalam KK
BANTUAN_KEYS = {"bantuan_penduduk": 1, "bantuan_keluarga": 2}  # key -> sasaran
# OpenSID's reference tables: extra columns a category row carries
KB_SEX = {"1": 2, "2": 2, "3": 2, "4": 1, "5": 2, "6": 2, "7": 1, "99": 3}  # tweb_cara_kb.sex
KTP_COLUMNS = {  # tweb_status_ktp: (ktp_el, status_rekam)
    "1": (1, "2"), "2": (2, "3"), "3": (2, "4"), "4": (2, "5"), "5": (2, "6"), "6": (2, "7"),
    "7": (2, "8"), "8": (1, "1"),
}  # fmt: skip
COVID = (  # ref_status_covid; the 2020 pemudik register is empty in every simulated village
    ("1", "Kasus Suspek"), ("2", "Kasus Probable"), ("3", "Kasus Konfirmasi"),
    ("4", "Kontak Erat"), ("5", "Pelaku Perjalanan"), ("6", "Discarded"),
    ("7", "Selesai Isolasi"),
)  # fmt: skip
# statistics whose query joins residents with a condition: categories without anyone vanish
JOINED = ("status-kehamilan", "buku-nikah", "bpjs-ketenagakerjaan")
# GROUP BY a resident column: only the values someone has (key 14 then lists its enum)
GROUPED = ("suku", "status-asuransi-kesehatan")
UMUR = ("rentang-umur", "kategori-umur", "akta-kelahiran", "akta-kematian")

# an HTML 404 page of our own wording in place of CodeIgniter's (whose text is OpenSID's to
# keep): what matters to a client is the status, the HTML type and that it is not JSON
NOT_FOUND_PAGE = """<!DOCTYPE html>
<html lang="id">
<head><title>404 Page Not Found</title></head>
<body><h2>404</h2><p>Halaman tidak ditemukan. <a href="http://{host}/">Kembali</a></p></body>
</html>
"""


# ---------------------------------------------------------------- PHP's ways


def php_json(payload: object) -> bytes:
    """json_encode's default output: compact, ASCII with \\uXXXX escapes, slashes escaped."""
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    return text.replace("/", "\\/").encode("ascii")


def json_answer(payload: object, status: int = 200) -> Reply:
    return Reply(status, php_json(payload), {"Content-Type": JSON_TYPE})


def not_found(host: str) -> Reply:
    """An HTML 404 page, as CodeIgniter answers; its link names the host asked."""
    body = NOT_FOUND_PAGE.replace("{host}", host).encode("utf-8")
    return Reply(404, body, {"Content-Type": HTML_TYPE})


def server_error() -> Reply:
    """What OpenSID sends when PHP fails (a database error): 500 and an empty page."""
    return Reply(500, b"", {"Content-Type": HTML_TYPE})


def persen2(pembilang: int | None, pembagi: int | None) -> str:
    """OpenSID's persen2(): part / whole * 100 with two decimals, half up, decimal comma;
    a zero (or null) whole gives 0,00%."""
    value = 0.0 if not pembagi else (pembilang or 0) / pembagi
    rounded = Decimal(repr(value * 100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{rounded:.2f}".replace(".", ",") + "%"


def php_int(text: str) -> int:
    """PHP's (int) cast of a string: the leading whole number, else 0."""
    m = re.match(r"\s*([+-]?\d+)", text)
    return int(m.group(1)) if m else 0


_SQL_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def query_pairs(raw_query: str) -> list[tuple[str, str]]:
    """The query string's pairs in order, decoded as PHP does."""
    pairs = []
    for part in raw_query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value)))
    return pairs


def last(pairs: Sequence[tuple[str, str]], name: str) -> str | None:
    """A parameter as PHP reads it: the last one of that name wins."""
    found = None
    for key, value in pairs:
        if key == name:
            found = value
    return found


# ---------------------------------------------------------------- pagination (spatie)


def _nested(pairs: Sequence[tuple[str, str]]) -> dict:
    """PHP's parse_str: `page[size]=100` becomes {"page": {"size": "100"}}, in first-seen
    order; a later value of the same name replaces the earlier one."""
    out: dict = {}
    for key, value in pairs:
        m = re.match(r"^([^\[]+)((?:\[[^\]]*\])*)$", key)
        if not m:
            out[key] = value
            continue
        base, rest = m.group(1), re.findall(r"\[([^\]]*)\]", m.group(2))
        node = out
        names = [base, *rest]
        for i, name in enumerate(names):
            if name == "":
                name = str(len(node))
            if i == len(names) - 1:
                node[name] = value
            else:
                if not isinstance(node.get(name), dict):
                    node[name] = {}
                node = node[name]
    return out


def _build_query(params: Mapping, prefix: str | None = None) -> list[str]:
    """http_build_query(..., PHP_QUERY_RFC3986): nested keys as a[b], empty arrays left out."""
    parts: list[str] = []
    for key, value in params.items():
        name = key if prefix is None else f"{prefix}[{key}]"
        if isinstance(value, dict):
            parts += _build_query(value, name)
        else:
            parts.append(f"{quote(name, safe='-_.~')}={quote(str(value), safe='-_.~')}")
    return parts


def page_of(pairs: Sequence[tuple[str, str]]) -> tuple[int, int]:
    """(page number, page size) as spatie/laravel-json-api-paginate reads them: size 30 by
    default and at most 30 (0, negative or not a number: 30); a number that is not a whole
    number ≥ 1 is page 1."""
    raw_size = last(pairs, "page[size]")
    size = PAGE_SIZE if raw_size is None else php_int(raw_size)
    if size <= 0 or size > PAGE_SIZE:
        size = PAGE_SIZE
    raw_number = last(pairs, "page[number]")
    number = 1
    if raw_number is not None and re.fullmatch(r"\s*[+-]?(0|[1-9]\d*)\s*", raw_number):
        number = max(1, int(raw_number))
    return number, size


def paginated(items: Sequence[dict], pairs: Sequence[tuple[str, str]], url: str) -> dict:
    """One page as fractal's JsonApiSerializer writes a Laravel paginator: data, meta
    {pagination: total, count, per_page, current_page, total_pages} and links; a link keeps
    every other query parameter and puts page[number] last."""
    number, size = page_of(pairs)
    total = len(items)
    last_page = max(1, math.ceil(total / size))
    chunk = list(items[(number - 1) * size : number * size])
    others = _nested(pairs)
    if isinstance(others.get("page"), dict):
        others["page"].pop("number", None)
        if not others["page"]:
            del others["page"]

    def link(n: int) -> str:
        return f"{url}?" + "&".join([*_build_query(others), f"page%5Bnumber%5D={n}"])

    links = {"self": link(number), "first": link(1)}
    if number > 1:
        links["prev"] = link(number - 1)
    if number < last_page:
        links["next"] = link(number + 1)
    links["last"] = link(last_page)
    meta = {
        "pagination": {
            "total": total,
            "count": len(chunk),
            "per_page": size,
            "current_page": number,
            "total_pages": last_page,
        }
    }
    return {"data": chunk, "meta": meta, "links": links}


# ---------------------------------------------------------------- statistik


def _item(ident: str, attributes: dict) -> dict:
    return {"type": "statistik", "id": ident, "attributes": attributes}


def _percentages(attrs: dict, whole: int | None) -> dict:
    attrs["persen"] = persen2(attrs["jumlah"], whole)
    attrs["persen1"] = persen2(attrs["laki"], whole)
    attrs["persen2"] = persen2(attrs["perempuan"], whole)
    return attrs


def _category(stat: StatDef, row: Mapping) -> dict:
    """A category row with its reference table's columns, in the table's column order."""
    code = row["code"]
    if stat.slug in UMUR:
        attrs: dict = {
            "config_id": 1,
            "nama": row["label"],
            "dari": row["dari"],
            "sampai": row["sampai"],
            "status": 0 if stat.slug == "kategori-umur" else 1,
        }
    else:
        attrs = {"nama": row["label"]}
        if stat.slug == "akseptor-kb":
            attrs["sex"] = KB_SEX.get(code, 3)
        elif stat.slug in ("kepemilikan-ktp", "kepemilikan-kia"):
            ktp_el, status_rekam = KTP_COLUMNS.get(code, (2, code))
            attrs.update(ktp_el=ktp_el, status_rekam=status_rekam)
    attrs.update(jumlah=row["total"], laki=row["laki"], perempuan=row["perempuan"])
    return attrs


def _summary_rows(rows: Sequence[Mapping], whole: Mapping) -> list[dict]:
    """666 JUMLAH (the rows' sum), 777 BELUM MENGISI (the rest of the whole), 888 TOTAL."""
    j = {f: sum(r[f] for r in rows) for f in ("total", "laki", "perempuan")}
    semua = whole["total"]

    def resume(nama: str, total: int, laki: int, perempuan: int) -> dict:
        attrs = {"no": "", "nama": nama, "jumlah": total, "perempuan": perempuan, "laki": laki}
        return _percentages(attrs, semua)

    jumlah = resume("JUMLAH", j["total"], j["laki"], j["perempuan"])
    belum = resume(
        "BELUM MENGISI",
        semua - j["total"],
        whole["laki"] - j["laki"],
        whole["perempuan"] - j["perempuan"],
    )
    total = {
        "jumlah": semua,
        "laki": whole["laki"],
        "perempuan": whole["perempuan"],
        "no": "",
        "nama": "TOTAL",
        "persen": persen2(whole["laki"] + whole["perempuan"], semua),
        "persen1": persen2(whole["laki"], semua),
        "persen2": persen2(whole["perempuan"], semua),
    }
    return [_item(JUMLAH, jumlah), _item(BELUM_MENGISI, belum), _item(TOTAL, total)]


def _served_rows(stat: StatDef, entry: Mapping) -> list[Mapping]:
    """The category rows OpenSID's query returns for this statistic (before bdt drops them)."""
    rows = list(entry["rows"])
    if stat.slug in JOINED or stat.slug in GROUPED or stat.slug == "pendidikan-sedang-ditempuh":
        rows = [r for r in rows if r["total"] > 0]
    if stat.slug == "status-asuransi-kesehatan":
        rows.sort(key=lambda r: int(r["code"]))
    return rows


def _pendidikan_sedang(stat: StatDef, rows: Sequence[Mapping], semua: int) -> list[dict]:
    """Key 14: every id of the enum in its order with a running `no`; categories nobody is in
    come as strings ("0", "0%"), the others as numbers."""
    present = {r["code"]: r for r in rows}
    out = []
    for no, (code, label) in enumerate(stat.codes, 1):
        row = present.get(code)
        if row is None:
            attrs = {"nama": label, "jumlah": "0", "laki": "0", "perempuan": "0", "no": no,
                     "persen": "0%", "persen1": "0%", "persen2": "0%"}  # fmt: skip
        else:
            attrs = {"nama": label, "jumlah": row["total"], "laki": row["laki"],
                     "perempuan": row["perempuan"], "no": no}  # fmt: skip
            _percentages(attrs, semua)
        out.append(_item(code, attrs))
    return out


def list_data(record: VillageRecord, key: str) -> dict:
    """A non-bantuan statistic as LaporanPenduduk::listData answers it."""
    if re.fullmatch(r"\d+", key):
        key = str(int(key))
    if key == "covid":
        whole = find_statistic(record.document, DEFAULT_KEY)["total"]
        rows = [_item(c, {"nama": n, "jumlah": 0, "laki": 0, "perempuan": 0}) for c, n in COVID]
        for item in rows:
            _percentages(item["attributes"], whole["total"])
        return {"data": [*rows, *_summary_rows([], whole)]}
    stat = BY_KEY.get(key) or BY_KEY[DEFAULT_KEY]
    if stat.jenis == "bantuan":  # not reached: bantuan keys are answered by `bantuan`
        stat = BY_KEY[DEFAULT_KEY]
    entry = find_statistic(record.document, stat.key)
    whole = entry["total"]
    rows = _served_rows(stat, entry)
    summary = _summary_rows(rows, whole)
    if stat.slug == "pendidikan-sedang-ditempuh":
        return {"data": [*_pendidikan_sedang(stat, rows, whole["total"]), *summary]}
    if stat.jenis == "rtm":  # OpenSID drops bdt's rows; only its 666 says how many
        return {"data": summary}
    items = [_item(r["code"], _percentages(_category(stat, r), whole["total"])) for r in rows]
    return {"data": [*items, *summary]}


def is_bantuan(key: str) -> bool:
    """StatistikRepository::isBantuan: the two bantuan keys, or "50<programme id>"."""
    return key in BANTUAN_KEYS or (php_int(key) > 50 and key[:2] == "50")


def _find_programme(record: VillageRecord, wanted: str) -> Programme | None:
    if not re.fullmatch(r"\d+", wanted):
        return None
    return next((p for p in record.programmes if p.id == int(wanted)), None)


def _bantuan_whole(record: VillageRecord, sasaran: int | None) -> tuple[int | None, int | None]:
    """(men, women) of what a target counts: living residents, or families by their head."""
    if sasaran == 1:
        total = record.document["totals"]["penduduk"]
        return total["laki"], total["perempuan"]
    if sasaran == 2:
        return record.keluarga_heads["L"], record.keluarga_heads["P"]
    return None, None  # an unknown programme: OpenSID's totals are never set


def bantuan(record: VillageRecord, key: str, tahun: float | None) -> dict:
    """Statistik::bantuan: a row per programme running in `tahun`, then 666/777/888."""
    if key in BANTUAN_KEYS:
        sasaran, programme, label = BANTUAN_KEYS[key], False, "PENERIMA"
        chosen = running(record.programmes, sasaran, None)
    else:
        found = _find_programme(record, re.sub(r"^50", "", key))
        sasaran, programme, label = (found.sasaran if found else None), True, "PESERTA"
        chosen = [found] if found else []
    if tahun is not None:
        chosen = [p for p in chosen if int(p.sdate[:4]) <= tahun <= int(p.edate[:4])]
    lk, pr = _bantuan_whole(record, sasaran)
    tot = (lk or 0) + (pr or 0)
    rows = []
    for p in chosen:
        men, women = sex_counts(p)
        attrs = {"nama": p.nama, "jumlah": men + women, "persen": persen2(men + women, tot),
                 "laki": men, "persen1": persen2(lk, men), "perempuan": women,
                 "persen2": persen2(women, tot)}  # fmt: skip
        rows.append(_item(str(p.id), attrs))
    s_j = sum(r["attributes"]["jumlah"] for r in rows)
    s_l = sum(r["attributes"]["laki"] for r in rows)
    s_p = sum(r["attributes"]["perempuan"] for r in rows)

    def resume(nama: str, j: int, jl: int, jp: int, persen1: str) -> dict:
        return {"nama": nama, "jumlah": j, "persen": persen2(j, tot), "laki": jl,
                "persen1": persen1, "perempuan": jp, "persen2": persen2(jp, tot)}  # fmt: skip

    if programme:
        jumlah = resume(label, s_j, s_l, s_p, persen2(s_l, tot))
        bukan = resume(f"BUKAN {label}", tot - s_j, (lk or 0) - s_l, (pr or 0) - s_p,
                       persen2((lk or 0) - s_l, lk))  # fmt: skip
    else:
        d_l, d_p = recipient_counts(chosen)
        jumlah = resume(label, d_l + d_p, d_l, d_p, persen2(d_l, tot))
        bukan = resume(f"BUKAN {label}", tot - d_l - d_p, (lk or 0) - d_l, (pr or 0) - d_p,
                       persen2((lk or 0) - d_l, tot))  # fmt: skip
    total = resume("TOTAL", tot, lk, pr, persen2(lk, tot))  # type: ignore[arg-type]
    summary = [_item(JUMLAH, jumlah), _item(BELUM_MENGISI, bukan), _item(TOTAL, total)]
    return {"data": summary if programme else [*rows, *summary]}


def statistik(record: VillageRecord, key: str, pairs: Sequence[tuple[str, str]]) -> Reply:
    if not is_bantuan(key):
        return json_answer(list_data(record, key))  # every other key ignores tahun
    raw = last(pairs, "tahun")
    tahun = None
    if raw not in (None, "", "0"):  # PHP: `if ($tahun)`
        if not _SQL_NUMBER.match(raw):
            return server_error()  # the value goes into the SQL as it is: a syntax error
        tahun = float(raw)
    return json_answer(bantuan(record, key, tahun))


# ---------------------------------------------------------------- pembangunan


def _utc(local: str) -> str:
    """A local (WIB) time as Laravel serialises a timestamp: UTC with microseconds."""
    moment = datetime.strptime(local, "%Y-%m-%d %H:%M:%S") - timedelta(hours=7)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _cluster(record: VillageRecord) -> dict[int, dict]:
    """Every RW and RT row of tweb_wil_clusterdesa by id, as a nested `wilayah` object."""
    out = {}
    for d in record.dusun:
        for rw in d.rws:
            out[rw.id] = _cluster_row(rw.id, "-", rw.rw, d.nama)
            for rt in rw.rts:
                out[rt.id] = _cluster_row(rt.id, rt.rt, rt.rw, d.nama)
    return out


def _cluster_row(ident: int, rt: str, rw: str, dusun: str, *, with_id: bool = True) -> dict:
    row = {"id": ident} if with_id else {}
    row.update({
        "config_id": 1, "rt": rt, "rw": rw, "dusun": dusun, "id_kepala": 0, "lat": "", "lng": "",
        "zoom": 18, "path": None, "map_tipe": "", "warna": None, "border": None, "urut": None,
        "urut_cetak": None,
    })  # fmt: skip
    return row


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _project(p: Project, clusters: Mapping[int, dict], slug: str) -> dict:
    wilayah = clusters.get(p.cluster_id) if p.cluster_id is not None else None
    if wilayah is not None:
        lengkap = f"RT {wilayah['rt']} / RW {wilayah['rw']} - {wilayah['dusun']}"
    else:
        lengkap = "RT  / RW  - "
    lokasi = p.lokasi if p.lokasi is not None else lengkap
    pemerintah, provinsi, kab_kota, swadaya = p.biaya
    attrs = {
        "config_id": 1,
        "id_lokasi": p.cluster_id,
        "sumber_dana": p.sumber_dana,
        "judul": p.judul,
        "slug": slug,
        "keterangan": p.keterangan,
        "lokasi": lokasi,
        "lat": None,
        "lng": None,
        "volume": p.volume,
        "tahun_anggaran": str(p.tahun_anggaran),
        "pelaksana_kegiatan": p.pelaksana,
        "status": 1,
        "created_at": _utc(p.created_at),
        "updated_at": _utc(p.progress[-1].tanggal if p.progress else p.created_at),
        "foto": None,
        "anggaran": p.anggaran,
        "perubahan_anggaran": p.perubahan_anggaran,
        "sumber_biaya_pemerintah": pemerintah,
        "sumber_biaya_provinsi": provinsi,
        "sumber_biaya_kab_kota": kab_kota,
        "sumber_biaya_swadaya": swadaya,
        "sumber_biaya_jumlah": pemerintah + provinsi + kab_kota + swadaya,
        "manfaat": p.manfaat,
        "waktu": p.waktu,
        "satuan_waktu": p.satuan_waktu,
        "sifat_proyek": p.sifat_proyek,
        "pembangunan_dokumentasi": [
            {
                "id": d.id,
                "config_id": 1,
                "id_pembangunan": p.id,
                "gambar": None,
                "persentase": d.persentase,
                "keterangan": d.keterangan,
                "created_at": _utc(d.tanggal),
                "updated_at": _utc(d.tanggal),
            }
            for d in p.progress
        ],  # fmt: skip
        "alamat": lokasi,
        "lokasi_lengkap": lengkap,
        "wilayah": wilayah,
    }
    return {"type": "pembangunan", "id": str(p.id), "attributes": attrs}


def pembangunan(record: VillageRecord, pairs: Sequence[tuple[str, str]], url: str) -> Reply:
    """Active projects of every year, the newest tahun_anggaran first (then by id)."""
    clusters = _cluster(record)
    slugs: dict[str, int] = {}
    items = []
    for p in sorted(
        (p for p in record.projects if p.active), key=lambda p: (-p.tahun_anggaran, p.id)
    ):
        slug = _slug(p.judul)
        slugs[slug] = slugs.get(slug, 0) + 1
        items.append(_project(p, clusters, slug if slugs[slug] == 1 else f"{slug}-{slugs[slug]}"))
    return json_answer(paginated(items, pairs, url))


# ---------------------------------------------------------------- wilayah/administratif


def _dusun(d: Dusun, sebutan: str) -> dict:
    rws = []
    for rw in d.rws:
        rts = []
        for rt in rw.rts:
            row = _cluster_row(rt.id, rt.rt, rt.rw, d.nama)
            row.update({
                "keluarga_aktif_count": rt.keluarga, "penduduk_pria_count": rt.laki,
                "penduduk_wanita_count": rt.perempuan, "sebutan_rt": "RT", "kepala_nama": "",
                "penduduk_pria_wanita_count": rt.laki + rt.perempuan, "kepala": None,
            })  # fmt: skip
            rts.append(row)
        row = _cluster_row(rw.id, "-", rw.rw, d.nama)
        laki = sum(rt.laki for rt in rw.rts)
        perempuan = sum(rt.perempuan for rt in rw.rts)
        row.update({
            "rts_count": len(rw.rts), "keluarga_aktif_count": sum(rt.keluarga for rt in rw.rts),
            "penduduk_pria_count": laki, "penduduk_wanita_count": perempuan, "sebutan_rw": "RW",
            "penduduk_pria_wanita_count": laki + perempuan,
        })  # fmt: skip
        if rw.rw != "-":
            row["kepala_nama"] = ""
        row.update({"kepala": None, "rts": rts})
        rws.append(row)
    all_rts = [rt for rw in d.rws for rt in rw.rts]
    laki = sum(rt.laki for rt in all_rts)
    perempuan = sum(rt.perempuan for rt in all_rts)
    attrs = _cluster_row(d.id, "0", "0", d.nama, with_id=False)
    attrs.update({
        "rts_count": len(all_rts), "rws_count": sum(1 for rw in d.rws if rw.rw != "-"),
        "keluarga_aktif_count": sum(rt.keluarga for rt in all_rts), "penduduk_pria_count": laki,
        "penduduk_wanita_count": perempuan, "sebutan_dusun": sebutan, "kepala_nama": "",
        "penduduk_pria_wanita_count": laki + perempuan, "kepala": None, "rws": rws,
    })  # fmt: skip
    return {"type": "wilayah-administratif", "id": str(d.id), "attributes": attrs}


def wilayah(record: VillageRecord, pairs: Sequence[tuple[str, str]], url: str) -> Reply:
    """The dusun with their RW and RT and the families and residents counted in each."""
    items = [_dusun(d, record.sebutan_dusun) for d in record.dusun]
    return json_answer(paginated(items, pairs, url))


# ---------------------------------------------------------------- peserta_bantuan


def _today(record: VillageRecord) -> date:
    return date(record.tahun, 11, 20)


def _rt_finder(record: VillageRecord, field: str):
    """index -> (rt, rw, dusun): residents of one sex, or families, fill the RTs in order."""
    bounds: list[tuple[int, tuple[str, str, str]]] = []
    upto = 0
    for d in record.dusun:
        for rw in d.rws:
            for rt in rw.rts:
                upto += getattr(rt, field)
                bounds.append((upto, (rt.rt, rt.rw, d.nama)))

    def find(index: int) -> tuple[str, str, str]:
        for bound, place in bounds:
            if index < bound:
                return place
        return bounds[-1][1]

    return find


def _ages_of(record: VillageRecord, sex: str, index: int) -> tuple[int, int]:
    school, elderly, _ = record.pools[sex]
    if index < school:
        return 6, 18
    if index < school + elderly:
        return 60, 85
    return 19, 59


def _programme_attrs(p: Programme, today: date) -> tuple[dict, dict]:
    start, end = date.fromisoformat(p.sdate), date.fromisoformat(p.edate)
    created = f"{p.sdate} 09:{p.id % 60:02d}:{(p.id * 7) % 60:02d}"
    flat = {
        "nama": p.nama, "slug": None, "sasaran": p.sasaran, "kk_level": None, "ndesc": p.ndesc,
        "sdate": p.sdate, "edate": p.edate, "asaldana": p.asaldana,
    }  # fmt: skip
    nested = {
        "id": p.id, "config_id": 1, "nama": p.nama, "slug": None, "sasaran": p.sasaran,
        "kk_level": None, "ndesc": p.ndesc,
        "sdate": f"{start - timedelta(days=1)}T17:00:00.000000Z",
        "edate": f"{end - timedelta(days=1)}T17:00:00.000000Z",
        "asaldana": p.asaldana, "created_at": created, "created_by": None,
        "updated_at": created, "updated_by": None,
        "status_masa_aktif": "Aktif" if end >= today else "Tidak Aktif",
    }  # fmt: skip
    return flat, nested


def _peserta_rows(record: VillageRecord, seed: int, kode: str, p: Programme) -> list[dict]:
    today = _today(record)
    flat, nested = _programme_attrs(p, today)
    sebutan = record.sebutan_dusun
    if p.sasaran == 1:
        where = {sex: _rt_finder(record, "laki" if sex == "L" else "perempuan") for sex in "LP"}
    else:
        families = _rt_finder(record, "keluarga")
    out = []
    for n, (index, sex) in enumerate(p.recipients, 1):
        if p.sasaran == 1:
            who = people.person(seed, kode, sex, index, ages=_ages_of(record, sex, index),
                                today=today)  # fmt: skip
            peserta, id_pend = who.nik, 1 + 2 * index + (sex == "P")
            rt, rw, dusun = where[sex](index)
        else:
            who = people.family_head(seed, kode, index, sex, today=today)
            peserta, id_pend = people.family_card(seed, kode, index, today=today), 50_000 + index
            rt, rw, dusun = families(index)
        added = _utc(f"{p.sdate} 10:{n % 60:02d}:{(n * 13) % 60:02d}")
        attrs = {
            "config_id": 1, "peserta": peserta, "program_id": p.id, "no_id_kartu": str(n),
            "kartu_nik": who.nik, "kartu_nama": who.nama, "kartu_tempat_lahir": who.tempat_lahir,
            "kartu_tanggal_lahir": who.tanggal_lahir,
            "kartu_alamat": f"RT {rt}  RW {rw} {sebutan} {dusun.title()}",
            "kartu_peserta": None, "kartu_id_pend": id_pend, "created_at": added,
            "created_by": None, "updated_at": added, "updated_by": None, **flat,
            "bantuan": nested,
        }  # fmt: skip
        out.append({"type": "bantuan_peserta", "id": str(p.id), "attributes": attrs})
    return out


def peserta_bantuan(
    record: VillageRecord,
    key: str,
    pairs: Sequence[tuple[str, str]],
    url: str,
    *,
    seed: int,
    kode: str,
) -> Reply:
    """One row per recipient of the target's programmes (or of one programme, with or
    without the 50 prefix); the JSON:API id is the programme's. `filter[tahun]` keeps the
    programmes running that year (non-numeric: HTTP 500)."""
    if key in BANTUAN_KEYS:
        chosen = running(record.programmes, BANTUAN_KEYS[key], None)
    else:
        found = _find_programme(record, re.sub(r"^50", "", key))
        chosen = [found] if found else []  # an unknown programme: sasaran NULL, nothing
    raw = last(pairs, "filter[tahun]")
    if raw:
        if not _SQL_NUMBER.match(raw):
            return server_error()
        chosen = [p for p in chosen if int(p.sdate[:4]) <= float(raw) <= int(p.edate[:4])]
    # only the rows of the page asked for are built (a programme may have hundreds)
    number, size = page_of(pairs)
    counts = [len(p.recipients) for p in chosen]
    lo, hi = (number - 1) * size, number * size
    rows: list[dict] = []
    start = 0
    for p, n in zip(chosen, counts, strict=True):
        if start < hi and start + n > lo:
            rows += _peserta_rows(record, seed, kode, p)[max(0, lo - start) : hi - start]
        start += n
    placeholder: list[dict] = [{}] * sum(counts)
    placeholder[lo : lo + len(rows)] = rows
    return json_answer(paginated(placeholder, pairs, url))


# ---------------------------------------------------------------- routes


def answer(
    record: VillageRecord,
    rest: tuple[str, ...],
    raw_query: str,
    *,
    url: str,
    host: str,
    seed: int,
    kode: str,
) -> Reply:
    """The reply to GET /<village>/internal_api/...; `rest` starts after "internal_api"."""
    pairs = query_pairs(raw_query)
    if len(rest) == 2 and rest[0] == "statistik":
        return statistik(record, rest[1], pairs)
    if rest == ("pembangunan",):
        return pembangunan(record, pairs, url)
    if len(rest) == 2 and rest[0] == "peserta_bantuan":
        return peserta_bantuan(record, rest[1], pairs, url, seed=seed, kode=kode)
    if rest == ("wilayah", "administratif"):
        return wilayah(record, pairs, url)
    return not_found(host)
