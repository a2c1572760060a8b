"""Texts of "Kumpulkan sekarang": the buttons and a request's state (issue 8)."""

ID = {
    "kumpul.judul": "Kumpulkan sekarang:",
    "kumpul.tombol.desa": "Kumpulkan {wilayah}",
    "kumpul.tombol.desa_pilih": "Kumpulkan desa ini",
    "kumpul.tombol.kecamatan": "Kumpulkan {wilayah}",
    "kumpul.tombol.kecamatan_pilih": "Kumpulkan kecamatan ini",
    "kumpul.tombol.semua": "Kumpulkan semua desa",
    "kumpul.petunjuk": (
        "Penjadwal mengambil permintaan dalam beberapa detik; statusnya tampil di sini sampai "
        "selesai."
    ),
    "kumpul.petunjuk_pilih": "Pilih kecamatan atau desa untuk mengumpulkan sebagian saja.",
    "kumpul.sasaran.semua": "semua desa",
    "kumpul.menunggu": "Permintaan {n} ({sasaran}): menunggu penjadwal.",
    "kumpul.berjalan": "Permintaan {n} ({sasaran}): sedang dikumpulkan.",
    "kumpul.selesai": (
        "Permintaan {n} ({sasaran}): selesai, {ok} berhasil, {unchanged} tidak berubah, "
        "{failed} gagal."
    ),
    "kumpul.gagal": "Permintaan {n} ({sasaran}): gagal, {alasan}.",
    "kumpul.ditolak": "Permintaan {n} ({sasaran}): ditolak, {alasan}.",
    "kumpul.sudah_antre": (
        "{sasaran} sudah dalam antrean (permintaan {n}); tidak dibuat permintaan baru."
    ),
    "kumpul.alasan.not_in_registry": "tidak ada dalam daftar desa penjadwal",
    "kumpul.alasan.scheduler_stopped": "penjadwal dihentikan sebelum selesai",
    "kumpul.alasan.sweep_broke_off": (
        "pengumpulan terhenti karena galat; rinciannya ada di log penjadwal"
    ),
    "kumpul.alasan.tidak_tercatat": "sebabnya tidak tercatat",
    "kumpul.tidak_dikenal": "{kode} bukan desa atau kecamatan dalam daftar desa.",
    "kumpul.gagal_catat": "Permintaan tidak dapat dicatat; rinciannya ada di log server.",
}

EN = {
    "kumpul.judul": "Collect now:",
    "kumpul.tombol.desa": "Collect {wilayah}",
    "kumpul.tombol.desa_pilih": "Collect this village",
    "kumpul.tombol.kecamatan": "Collect {wilayah}",
    "kumpul.tombol.kecamatan_pilih": "Collect this kecamatan",
    "kumpul.tombol.semua": "Collect all villages",
    "kumpul.petunjuk": (
        "The scheduler picks requests up within seconds; their state shows here until they end."
    ),
    "kumpul.petunjuk_pilih": "Choose a kecamatan or a village to collect only part.",
    "kumpul.sasaran.semua": "all villages",
    "kumpul.menunggu": "Request {n} ({sasaran}): waiting for the scheduler.",
    "kumpul.berjalan": "Request {n} ({sasaran}): being collected.",
    "kumpul.selesai": (
        "Request {n} ({sasaran}): done, {ok} ok, {unchanged} unchanged, {failed} failed."
    ),
    "kumpul.gagal": "Request {n} ({sasaran}): failed, {alasan}.",
    "kumpul.ditolak": "Request {n} ({sasaran}): rejected, {alasan}.",
    "kumpul.sudah_antre": ("{sasaran} is already queued (request {n}); no new request was made."),
    "kumpul.alasan.not_in_registry": "not in the scheduler's village registry",
    "kumpul.alasan.scheduler_stopped": "the scheduler was stopped before the end",
    "kumpul.alasan.sweep_broke_off": (
        "the collection broke off with an error; the details are in the scheduler's log"
    ),
    "kumpul.alasan.tidak_tercatat": "no reason was recorded",
    "kumpul.tidak_dikenal": "{kode} is no village or kecamatan of the registry.",
    "kumpul.gagal_catat": "The request could not be recorded; see the server log.",
}
