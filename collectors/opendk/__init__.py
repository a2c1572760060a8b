"""The receiver's core for OpenSID's "Sinkronisasi ke OpenDK": pushed requests to summaries.

A village running OpenSID switches to us by pointing its OpenDK address here; its requests
keep the shape OpenSID 2508 gives them (../shared/domain/opensid-opendk-sync.md). Each entry
point below is a pure function from the parts of one request (form fields, the uploaded zip,
the JSON body) to our validated summaries, and says which village the payload names (dotted,
from dotted or digits) so the route can hold it against the token's village (or pass it as
`expected`, and a payload naming another village is refused). A bad payload raises PushError
(a code, its parameters, English and Indonesian text naming village, push and problem) and
gives nothing to load. Nothing is written to disk and nothing is logged. Every size is
bounded (limits.py): the upload, zip entries and their inflated sizes and ratios, XML tokens
(a DOCTYPE is refused, so no entity is ever expanded), rows, columns, cells, JSON bodies.

A push is landed like a pull, as a VillagePull (endpoint "opendk-push", app "OpenSID"): the
residents' push gives one (`PendudukPush.pull`); the others give one DatasetResult built
against what the warehouse holds of that dataset (`current`), because OpenSID sends parts:
the programmes and their recipients in two requests, projects a page (or only the changed
ones) at a time, progress entries apart, reports one by one. No state is kept between
requests. `answers.py` has OpenDK's answers for the route to give back.

Per request (path under /api/v1, body): what it carries; what we keep; what we drop.
- `identitas-desa` (form): kode_desa, sebutan_desa, website, path (the boundary as JSON).
  Kept: sebutan, website, whether a boundary was drawn (`identitas` profil). Dropped: the
  boundary polygon.
- `penduduk/storedata` (zip of an XLSX, 42 columns): every resident ever recorded, living or
  not, with every personal field. Kept: `total` (penduduk by sex, keluarga) and 18 statistics
  counted as OpenSID counts them, on the push's date. Dropped: every row, once counted.
- `program-bantuan` (zip of an XLSX): programmes (id, nama, sasaran 1–4, dates in UTC, status,
  asaldana). Kept: per programme its name, sasaran, source of funds, start and end in the
  village's own dates. Dropped: the description.
- `program-bantuan/peserta` (zip of a CSV): a row per recipient (NIK or KK number, card name,
  birth place and date, address). Kept: distinct recipients per programme (`bantuan`
  peserta). Dropped: every personal field.
- `pembangunan` (zip of photos and a CSV; 100 projects a page, or only the changed ones).
  Kept: per project anggaran, year, sumber dana, volume, pelaksana, lokasi, sifat. Dropped:
  photos, the other amounts, manfaat, keterangan.
- `pembangunan/dokumentasi` (zip of photos and a CSV): progress entries. Kept: the highest
  persentase per project (`pembangunan` progres). Dropped: photos, notes.
- `laporan-penduduk`, `laporan-apbdes` (JSON with a base64 PDF): a monthly or semester report.
  Kept: that report id arrived for its period, and its size. Dropped: the PDF, its title and
  file name.

Statistics from the residents' file: jenis-kelamin, rentang-umur, kategori-umur,
pendidikan-dalam-kk, pendidikan-sedang-ditempuh, pekerjaan, status-perkawinan, agama,
warga-negara, golongan-darah, penyandang-cacat, akseptor-kb, akta-kelahiran, kepemilikan-ktp,
hubungan-kk, status-kehamilan, buku-nikah, kepemilikan-kia. The file has no column for the
others (status-penduduk, penyakit-menahun, asuransi-kesehatan, suku, akta-kematian,
bpjs-ketenagakerjaan, status-asuransi-kesehatan, kelas-sosial, bdt, the aid statistics), nor
for households: `total.rumah_tangga` stays empty (`PendudukPush.not_derived` lists them).

Could not be verified (read from code, not run against a live OpenSID with our reader):
- the age brackets are OpenSID's defaults: a village that edited its brackets in OpenSID gets
  the default ones from a push (the residents' file does not carry them);
- keluarga counts distinct KK numbers of living residents whose hubungan is kepala keluarga;
  OpenSID counts families whose recorded head (tweb_keluarga.nik_kepala) is alive, which is the
  same unless a family's head is recorded inconsistently;
- in a database holding several villages, OpenSID exports everybody under one desa_id; a push
  cannot tell (OpenSID's own statistics filter by village);
- the statistics are computed as OpenSID 2508's code computes them (the residents with
  status_dasar 1, the reference ids of config/statistik.toml, OpenSID's MySQL age formula),
  checked in the tests against independently computed values, not against a live OpenSID
  answer for the same residents.
"""

from collectors.opendk.answers import refusal, success
from collectors.opendk.bantuan import (
    ProgrammesPush,
    RecipientsPush,
    bantuan_result,
    read_peserta_bantuan,
    read_program_bantuan,
    stored_programmes,
)
from collectors.opendk.errors import MESSAGES, PushError
from collectors.opendk.identitas import IdentitasPush, identitas_result, read_identitas
from collectors.opendk.laporan import LaporanPush, laporan_result, read_laporan
from collectors.opendk.limits import LIMITS, Limits
from collectors.opendk.pembangunan import (
    ProgressPush,
    ProjectsPush,
    merge_pembangunan,
    read_dokumentasi,
    read_pembangunan,
)
from collectors.opendk.penduduk import PendudukPush, read_penduduk

__all__ = [
    "LIMITS",
    "MESSAGES",
    "IdentitasPush",
    "LaporanPush",
    "Limits",
    "PendudukPush",
    "ProgrammesPush",
    "ProgressPush",
    "ProjectsPush",
    "PushError",
    "RecipientsPush",
    "bantuan_result",
    "identitas_result",
    "laporan_result",
    "merge_pembangunan",
    "read_dokumentasi",
    "read_identitas",
    "read_laporan",
    "read_pembangunan",
    "read_penduduk",
    "read_peserta_bantuan",
    "read_program_bantuan",
    "refusal",
    "stored_programmes",
    "success",
]
