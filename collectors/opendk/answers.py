"""What OpenDK v2608.0.1 answers each request of OpenSID's sync, for the routes to reproduce.

OpenSID reads these answers, so their shape matters more than their words (read from both
sides' code, see ../shared/domain/opensid-opendk-sync.md):
- identitas-desa: OpenSID shows `status` and `message` of a 2xx; a 4xx becomes a red notice
  built from `message` and `errors` (a 5xx is not caught: OpenSID shows its error page). So a
  refusal is a 422 with OpenDK's validation shape.
- penduduk/storedata: OpenSID decodes the answer and throws it away (then always shows its
  own red "URL using bad/illegal format" for the deletion request it cannot send). OpenDK
  answers a failure with a redirect to an HTML page; a 422 in the validation shape serves the
  same purpose and is honest.
- laporan-penduduk / laporan-apbdes: OpenSID marks the reports as sent unless the HTTP status
  is 422, so a refusal must be a 422, or the operator will never send them again.
- program-bantuan(/peserta), pembangunan(/dokumentasi): OpenDK reports import failures with
  HTTP 200 and `"status": "danger"` (OpenSID's page shows the message; a 4xx would also show
  as danger). We answer as OpenDK does.
Key order is OpenDK's (Laravel keeps the PHP array's order); messages are OpenDK's own words
on success, ours (Indonesian, naming what was wrong) on failure.
"""

from __future__ import annotations

from collectors.opendk.errors import PushError

# route path under /api/v1 -> (HTTP status, body) of a success
SUCCESS: dict[str, tuple[int, dict]] = {
    "identitas-desa": (
        200, {"status": "success", "message": "Proses sinkronisasi identitas desa sudah selesai"}
    ),
    "penduduk/storedata": (200, {"message": "Data Foto Telah Berhasil di Sinkronkan"}),
    # never sent by OpenSID 2508 (its URL is the literal "{setting(...)}"); what OpenDK says
    "penduduk": (
        200, {"status": "success", "message": "Proses sync Data Penduduk OpenSID sedang berjalan"}
    ),
    "laporan-penduduk": (
        200,
        {"status": "success",
         "message": "Proses sync data Laporan Penduduk OpenSID sedang berjalan"},
    ),
    "laporan-apbdes": (
        200, {"status": "success", "message": "Proses sync data APBDes OpenSID sedang berjalan"}
    ),
    "program-bantuan": (200, {"message": "Data Bantuan Sedang di Sinkronkan", "status": "success"}),
    "program-bantuan/peserta": (
        200, {"status": "success", "message": "Data Bantuan Sedang di Sinkronkan"}
    ),
    "pembangunan": (
        200,
        {"message": "Proses Sinkronisasi Data Pembangunan OpenSID sedang berjalan",
         "status": "success"},
    ),
    "pembangunan/dokumentasi": (
        200,
        {"message": "Proses Sinkronisasi Data Pembangunan OpenSID sedang berjalan",
         "status": "success"},
    ),
}  # fmt: skip

# the answers of OpenDK's middleware, before any controller runs
UNAUTHENTICATED = (401, {"message": "Unauthenticated."})  # no or an invalid JWT (JSON clients)
TOKEN_NOT_REGISTERED = (401, {"error": "Token not registered"})
TOO_MANY_ATTEMPTS = (429, {"message": "Too Many Attempts."})  # 60 a minute per address
# auth/login (OpenSID's "Buat Key", from the operator's browser): a refusal; a success is
# {"access_token", "token_type": "Bearer", "expires_in": <seconds>}
LOGIN_REFUSED = (401, {"message": "Pengguna tidak dikenali"})
# pesan/getpesan, which OpenSID asks on every dashboard load when sinkronisasi_opendk is on:
# no messages (OpenDK's shape); an unknown village is {"status": false, "message": ...}
NO_MESSAGES = (200, {"status": True, "data": []})
UNKNOWN_VILLAGE_MESSAGES = (200, {"status": False, "message": "Desa tidak terdaftar"})

# which form field a refusal is about, for the validation shape's `errors`
_FIELD_OF = {"village": "desa_id", "form": None, "upload": "file", "json": None}


def success(path: str) -> tuple[int, dict]:
    """OpenDK's answer to an accepted request at `path` (under /api/v1, no slashes around)."""
    status, body = SUCCESS[path.strip("/")]
    return status, dict(body)


def refusal(path: str, error: PushError) -> tuple[int, dict]:
    """The answer to a refused request that OpenSID handles as OpenDK's own refusal."""
    path = path.strip("/")
    message = error.detail("id")
    if path in ("program-bantuan", "program-bantuan/peserta"):
        return 200, {"status": "danger", "message": message}
    if path in ("pembangunan", "pembangunan/dokumentasi"):
        return 200, {"message": f"Proses Sinkronisasi Data gagal. Error : {message}",
                     "status": "danger"}  # fmt: skip
    if path not in SUCCESS:
        raise KeyError(path)
    field = _field(path, error)
    return 422, {"message": message, "errors": {field: [message]}}


def _field(path: str, error: PushError) -> str:
    family = error.code.removeprefix("push.").partition(".")[0]
    if family == "form":
        return str(error.params.get("field", "kode_desa"))
    if family == "village":
        return "kode_desa" if path == "identitas-desa" else "desa_id"
    if path.startswith("laporan-"):
        return path.replace("-", "_")
    return _FIELD_OF.get(family) or "file"
