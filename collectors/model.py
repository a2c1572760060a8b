"""What an adapter hands to the warehouse: validated, normalised village summaries."""

from __future__ import annotations

from dataclasses import dataclass, field


class PayloadError(ValueError):
    """A village answered, but what it sent is unusable; the message says what was wrong."""


@dataclass(frozen=True)
class Counts:
    jumlah: int
    laki_laki: int
    perempuan: int


@dataclass(frozen=True)
class CategoryRow:
    kode: str
    label: str
    counts: Counts
    dari: int | None = None
    sampai: int | None = None


@dataclass(frozen=True)
class Statistic:
    slug: str
    rows: tuple[CategoryRow, ...]
    belum_mengisi: Counts
    total: Counts
    # the source's own sum (OpenSID's row 666) where rows overlap and it is not their sum:
    # distinct aid recipients when one family gets two programmes (statistik `bantuan` jenis)
    jumlah: Counts | None = None


@dataclass(frozen=True)
class Totals:
    penduduk: Counts
    keluarga: int | None
    rumah_tangga: int | None


@dataclass
class DatasetResult:
    """One dataset of one village in one pull: data, not modified (304), or a failure."""

    dataset: str
    status: str  # ok, unchanged, failed
    data: Statistic | Totals | list | None = None  # a list holds MeasurementRow values
    http_status: int | None = None
    error: str | None = None
    duration_ms: int = 0
    warning: str | None = None  # landed, but something is worth a look (unknown codes, ...)
    periods: tuple[str, ...] | None = None  # measurement datasets: the periods this replaces


@dataclass
class VillagePull:
    """Everything one village answered in one sweep."""

    kode_desa: str
    results: list[DatasetResult] = field(default_factory=list)
    source_app: str | None = None
    source_version: str | None = None
    duration_ms: int = 0
    endpoint: str | None = None  # where the validator below belongs
    etag: str | None = None  # save only when every dataset of the pull landed
