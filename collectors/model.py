"""What an adapter hands to the warehouse: validated, normalised village summaries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reason:
    """Why a village's dataset failed: a code with its values, which the pages render in their
    language through the reason catalogue (i18n/locale/*/messages.po, keys alasan.*), and the
    original English text, kept whole for operators (the CLI, the logs, fetch_log.error).

    `params["tempat"]`, when present, is where in the answer it went wrong (what was fetched,
    which field); it is shown before the reason, as the English text does (issue 8).
    """

    text: str
    code: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)

    def at(self, tempat: str) -> Reason:
        """The same reason said of what was fetched, unless the text names it already (or is a
        village given up: "skipped: ...")."""
        if self.text.startswith((tempat, "skipped")):
            return self
        inner = self.params.get("tempat")
        place = f"{tempat}: {inner}" if inner else tempat
        return Reason(f"{tempat}: {self.text}", self.code, {**self.params, "tempat": place})

    @staticmethod
    def combine(reasons: Iterable[Reason]) -> Reason:
        """Several reasons of one dataset (its totals come from three statistics) as one: the
        texts joined with "; " as before, each part keeping its code and values."""
        parts = list({r.text: r for r in reasons}.values())  # the same text once
        if len(parts) == 1:
            return parts[0]
        bagian = [{"code": r.code, "params": dict(r.params), "text": r.text} for r in parts]
        return Reason("; ".join(r.text for r in parts), code="beberapa", params={"bagian": bagian})


class PayloadError(ValueError):
    """A village answered, but what it sent is unusable; the message says what was wrong (in
    English, for operators), `code` and `params` say it for the pages (see Reason)."""

    def __init__(
        self, message: str, *, code: str | None = None, params: Mapping | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.params = dict(params or {})

    @property
    def reason(self) -> Reason:
        return Reason(str(self), self.code, self.params)

    @classmethod
    def of(cls, reason: Reason) -> PayloadError:
        """The error that says `reason` (a reason passed on, not a new one)."""
        return cls(reason.text, code=reason.code, params=reason.params)


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
    error: str | None = None  # the original English text, for operators
    duration_ms: int = 0
    warning: str | None = None  # landed, but something is worth a look (unknown codes, ...)
    periods: tuple[str, ...] | None = None  # measurement datasets: the periods this replaces
    error_code: str | None = None  # the reason for the pages (Reason.code)
    error_params: Mapping[str, object] | None = None  # its values (Reason.params)

    @classmethod
    def failure(
        cls, dataset: str, reason: Reason, *, http_status: int | None = None, duration_ms: int = 0
    ) -> DatasetResult:
        """A failed dataset: its reason as text, code and values."""
        return cls(
            dataset, "failed", http_status=http_status, error=reason.text,
            duration_ms=duration_ms, error_code=reason.code, error_params=dict(reason.params),
        )  # fmt: skip

    @property
    def reason(self) -> Reason | None:
        if self.error is None:
            return None
        return Reason(self.error, self.error_code, dict(self.error_params or {}))


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
