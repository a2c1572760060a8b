"""OpenDK's APBDes account codes (its `ref_coa`) and how they sit in our account tree.

OpenDK's APBDes template names an account `412-01`: group 4 (PENDAPATAN), sub 1 (Pendapatan
Asli Desa), sub-sub 2 (Hasil Aset), item 01 (Pengelolaan Tanah Kas Desa). Items "Lain-lain"
are `90-99`. These are the Permendagri account levels our tree writes with dots, so `412-01`
is the leaf `4.1.2.01` under `4.1.2`, `4.1` and `4` (`421-01` Dana Desa lies under 4.2.1, the
Dana Desa the finance pages read). The names below are the parent levels' names as OpenDK
seeds them (facts of the regulation); a leaf's name is the file's `nama_akun`.
"""

from __future__ import annotations

import re

__all__ = ["PARENT_NAMES", "ancestors", "from_opendk", "is_account"]

_OPENDK = re.compile(r"([4-6])(\d)(\d)-(\d{1,2}(?:-\d{2})?)")
_DOTTED = re.compile(r"\d+(?:\.\d+)*(?:\.\d{2}-\d{2})?")

PARENT_NAMES: dict[str, str] = {
    "4": "PENDAPATAN",
    "5": "BELANJA",
    "6": "PEMBIAYAAN",
    "4.1": "Pendapatan Asli Desa",
    "4.2": "Transfer",
    "4.3": "Pendapatan Lain-lain",
    "5.1": "Belanja Pegawai",
    "5.2": "Belanja Barang dan Jasa",
    "5.3": "Belanja Modal",
    "5.4": "Belanja Tak Terduga",
    "6.1": "Penerimaan Pembiayaan",
    "6.2": "Pengeluaran Pembiayaan",
    "4.1.1": "Hasil Usaha",
    "4.1.2": "Hasil Aset",
    "4.1.3": "Swadaya",
    "4.1.4": "Lain-lain Pendapatan Asli Desa",
    "4.2.1": "Dana Desa",
    "4.2.2": "Bagian dari Hasil Pajak dan Retribusi Daerah Kabupaten/Kota",
    "4.2.3": "Alokasi Dana Desa",
    "4.2.4": "Bantuan Keuangan Provinsi",
    "4.2.5": "Bantuan Keuangan APBD Kabupaten/Kota",
    "4.3.1": "Penerimaan dari Hasil Kerjasama antar Desa",
    "4.3.2": "Penerimaan dari Hasil Kerjasama Desa dengan Pihak Ketiga",
    "4.3.3": "Penerimaan dari Bantuan Perusahaan yang berlokasi di Desa",
    "4.3.4": "Hibah dan sumbangan dari Pihak Ketiga",
    "4.3.5": "Koreksi kesalahan belanja tahun-tahun anggaran sebelumnya",
    "4.3.6": "Bunga Bank",
    "4.3.9": "Lain-lain pendapatan Desa yang sah",
    "5.1.1": "Penghasilan Tetap dan Tunjangan Kepala Desa",
    "5.1.2": "Penghasilan Tetap dan Tunjangan Perangkat Desa",
    "5.1.3": "Jaminan Sosial Kepala Desa dan Perangkat Desa",
    "5.1.4": "Tunjangan BPD",
    "5.2.1": "Belanja Barang Perlengkapan",
    "5.2.2": "Belanja Jasa Honorarium",
    "5.2.3": "Belanja Perjalanan Dinas",
    "5.2.4": "Belanja Jasa Sewa",
    "5.2.5": "Belanja Operasional Perkantoran",
    "5.2.6": "Belanja Pemeliharaan",
    "5.2.7": "Belanja Barang dan Jasa yang Diserahkan kepada Masyarakat",
    "5.3.1": "Belanja Modal Pengadaan Tanah",
    "5.3.2": "Belanja Modal Peralatan, Mesin, dan Alat Berat",
    "5.3.3": "Belanja Modal Kendaraan",
    "5.3.4": "Belanja Modal Gedung, Bangunan dan Taman",
    "5.3.5": "Belanja Modal Jalan/Prasarana Jalan",
    "5.3.6": "Belanja Modal Jembatan",
    "5.3.7": "Belanja Modal Irigasi/Embung/Air Sungai/Drainase/Air Limbah/Persampahan",
    "5.3.8": "Belanja Modal Jaringan/Instalasi",
    "5.3.9": "Belanja Modal Lainnya",
    "5.4.1": "Belanja Tak Terduga",
    "6.1.1": "SILPA Tahun Sebelumnya",
    "6.1.2": "Pencairan Dana Cadangan",
    "6.1.3": "Hasil Penjualan Kekayaan Desa yang Dipisahkan",
    "6.1.9": "Penerimaan Pembiayaan Lainnya",
    "6.2.1": "Pembentukan Dana Cadangan",
    "6.2.2": "Penyertaan Modal Desa",
    "6.2.9": "Pengeluaran Pembiayaan Lainnya",
}


def from_opendk(text: str) -> str | None:
    """`412-01` → `4.1.2.01`, `411-90-99` → `4.1.1.90-99`; a dotted code stays as typed;
    None when the text is neither."""
    s = text.strip()
    match = _OPENDK.fullmatch(s)
    if match:
        group, sub, subsub, item = match.groups()
        if "-" not in item:
            item = item.zfill(2)  # OpenDK seeds one item as "1": the same as "01"
        return f"{group}.{sub}.{subsub}.{item}"
    if _DOTTED.fullmatch(s):
        return s
    return None


def is_account(text: str) -> bool:
    return from_opendk(text) is not None


def ancestors(code: str) -> list[str]:
    """The parent accounts of a dotted code, nearest first: 4.1.2.01 → 4.1.2, 4.1, 4."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]
