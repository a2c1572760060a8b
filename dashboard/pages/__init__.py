"""Dashboard pages, in navigation order. Each module defines PATH (and optionally
PATH_TEMPLATE), ORDER, NAME_KEY (an i18n key), NAV (default True), `layout(**query)` and
`register_callbacks(app)`."""

PAGE_MODULES = (
    "dashboard.pages.ringkasan",
    "dashboard.pages.kependudukan",
    "dashboard.pages.keuangan",
    "dashboard.pages.kesehatan",
    "dashboard.pages.pendidikan",
    "dashboard.pages.pembangunan",
    "dashboard.pages.bantuan",
    "dashboard.pages.desa",
    "dashboard.pages.unduh",
    "dashboard.pages.kamus",
    "dashboard.pages.unggah",
    "dashboard.pages.pemantauan",
    "dashboard.pages.audit",  # admins only (issue 10)
)
