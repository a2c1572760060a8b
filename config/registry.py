"""The village registry: which villages to pull, from where, with which adapter."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from config.regions import RegionCodeError, get_region, normalize_code, villages_under

COLUMNS = [
    "kode_desa",
    "nama_desa",
    "kode_kecamatan",
    "nama_kecamatan",
    "adapter",
    "base_url",
    "token",
]
ADAPTERS = ("summary-v1", "opensid", "gabungan", "opendk-push")
# villages that send to us as OpenSID sends to OpenDK (issue 11): never pulled, no base_url
PUSH_ADAPTERS = ("opendk-push",)
# a gabungan row may stand for every village of a kecamatan or kabupaten on one shared source
GROUP_ADAPTERS = ("gabungan",)
DEFAULT_BASE_URL = "http://127.0.0.1:8700/{kode}"


class RegistryError(ValueError):
    """The registry file is malformed; the message names the line and the problem."""


@dataclass(frozen=True)
class Village:
    kode_desa: str  # dotted
    nama_desa: str
    kode_kecamatan: str
    nama_kecamatan: str
    adapter: str
    base_url: str
    token_spec: str = ""  # empty, a literal, or env:VARNAME
    scope: str | None = None  # the registry row's region when one row stands for many villages

    @property
    def kode_digits(self) -> str:
        return self.kode_desa.replace(".", "")

    @property
    def kode_kabupaten(self) -> str:
        return self.kode_desa[:5]

    def resolve_token(self) -> str | None:
        """The bearer token; a missing env variable is a configuration error."""
        spec = self.token_spec.strip()
        if not spec:
            return None
        if spec.startswith("env:"):
            name = spec[4:]
            value = os.environ.get(name)
            if value is None:
                raise RegistryError(
                    f"village {self.kode_desa}: token variable {name} is not set in the environment"
                )
            return value
        return spec

    def __repr__(self) -> str:  # never print a token
        return f"Village({self.kode_desa} {self.nama_desa}, {self.adapter}, {self.base_url})"


def parse_registry(text: str, source: str = "registry") -> list[Village]:
    """Parse and validate registry CSV text; raise RegistryError naming line and problem."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RegistryError(f"{source}, line 1: missing column(s) {', '.join(missing)}")
    villages: list[Village] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num

        def fail(problem: str, line: int = line) -> None:
            raise RegistryError(f"{source}, line {line}: {problem}")

        raw_code = (row.get("kode_desa") or "").strip()
        adapter = (row.get("adapter") or "").strip()
        if adapter not in ADAPTERS:
            fail(f"unknown adapter {adapter!r}; expected one of {', '.join(ADAPTERS)}")
        try:
            kode = normalize_code(raw_code)
        except RegionCodeError:
            fail(f"kode_desa {raw_code!r} is not a village code (e.g. 17.03.06.2001)")
        if len(kode) != 13 and not (adapter in GROUP_ADAPTERS and len(kode) in (5, 8)):
            fail(f"kode_desa {raw_code!r} is not a village code (e.g. 17.03.06.2001)")
        region = get_region(kode)
        if region is None:
            fail(f"kode_desa {kode} is not in the region reference (idn-area-data 4.0.1)")
        base_url = (row.get("base_url") or "").strip()
        if adapter not in PUSH_ADAPTERS and not base_url.startswith(("http://", "https://")):
            fail(f"base_url {base_url!r} must start with http:// or https://")
        token = (row.get("token") or "").strip()
        if token.startswith("env:") and not token[4:]:
            fail("token 'env:' names no environment variable")
        if len(kode) != 13:
            # one row for all villages of a kecamatan or kabupaten on a shared source
            for member in villages_under(kode):
                if member.kode in seen:
                    fail(
                        f"village {member.kode} of {kode} is already listed "
                        f"on line {seen[member.kode]}"
                    )
                seen[member.kode] = line
                kec = get_region(member.induk)
                villages.append(
                    Village(member.kode, member.nama, member.induk, kec.nama if kec else "",
                            adapter, base_url.rstrip("/"), token, scope=kode)
                )  # fmt: skip
            continue
        if kode in seen:
            fail(f"duplicate kode_desa {kode} (first on line {seen[kode]})")
        seen[kode] = line
        raw_kec = (row.get("kode_kecamatan") or "").strip() or kode[:8]
        try:
            kec = normalize_code(raw_kec)
        except RegionCodeError:
            fail(f"kode_kecamatan {raw_kec!r} is not a kecamatan code")
        if kec != kode[:8]:
            fail(f"kode_kecamatan {kec} does not contain village {kode}")
        kec_region = get_region(kec)
        villages.append(
            Village(
                kode_desa=kode,
                nama_desa=(row.get("nama_desa") or "").strip() or region.nama,
                kode_kecamatan=kec,
                nama_kecamatan=(row.get("nama_kecamatan") or "").strip()
                or (kec_region.nama if kec_region else ""),
                adapter=adapter,
                base_url=base_url.rstrip("/"),
                token_spec=token,
            )
        )
    if not villages:
        raise RegistryError(f"{source}: no villages listed")
    return villages


def load_registry(path: str | Path) -> list[Village]:
    path = Path(path)
    if not path.exists():
        raise RegistryError(f"village registry {path} does not exist (set DASBOR_VILLAGES)")
    return parse_registry(path.read_text(encoding="utf-8-sig"), source=str(path))


def build_registry_rows(
    kabupaten: str | None = None,
    kecamatan: str | None = None,
    adapter: str = "summary-v1",
    base_url: str = DEFAULT_BASE_URL,
    provinsi: str | None = None,
) -> list[dict[str, str]]:
    """Registry rows for every village of a provinsi, a kabupaten or a kecamatan, from the
    reference (the narrowest region given, which must lie in the wider ones)."""
    if adapter not in ADAPTERS:
        raise RegistryError(f"unknown adapter {adapter!r}; expected one of {', '.join(ADAPTERS)}")
    given = [(name, value) for name, value in
             (("provinsi", provinsi), ("kabupaten", kabupaten), ("kecamatan", kecamatan))
             if value]  # fmt: skip
    if not given:
        raise RegistryError("give --provinsi, --kabupaten or --kecamatan")
    for (wide_name, wide), (narrow_name, narrow) in zip(given, given[1:], strict=False):
        if not normalize_code(narrow).startswith(normalize_code(wide) + "."):
            raise RegistryError(f"{narrow_name} {narrow} is not in {wide_name} {wide}")
    tingkat, scope = given[-1]
    code = normalize_code(scope)
    region = get_region(code)
    if region is None or region.tingkat != tingkat:
        raise RegistryError(f"{scope} is not a {tingkat} in the region reference")
    rows = []
    for village in villages_under(code):
        kec = get_region(village.induk)
        rows.append(
            {
                "kode_desa": village.kode,
                "nama_desa": village.nama,
                "kode_kecamatan": village.induk,
                "nama_kecamatan": kec.nama if kec else "",
                "adapter": adapter,
                "base_url": base_url.format(
                    kode=village.kode.replace(".", ""), kode_desa=village.kode
                ),
                "token": "",
            }
        )
    return rows


def registry_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def village_rows(villages: list[Village], base_url: str | None = None) -> list[dict[str, str]]:
    """Registry rows of villages, optionally pointed at another base URL template."""
    return [
        {
            "kode_desa": v.kode_desa,
            "nama_desa": v.nama_desa,
            "kode_kecamatan": v.kode_kecamatan,
            "nama_kecamatan": v.nama_kecamatan,
            "adapter": v.adapter,
            "base_url": base_url.format(kode=v.kode_digits, kode_desa=v.kode_desa)
            if base_url
            else v.base_url,
            "token": v.token_spec,
        }
        for v in villages
    ]
