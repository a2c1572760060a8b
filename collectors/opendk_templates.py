"""OpenDK's import templates, generated: the same file names, sheets and header rows as
OpenDK ships in storage/app/public/template_upload/, written by our own code (openpyxl).

An operator who knows OpenDK's files gets the same columns here. Where OpenDK's template has
no column for the village (tingkat pendidikan, putus sekolah, fasilitas PAUD, APBDes) or the
kecamatan (anggaran realisasi), the region is chosen at import, as on OpenDK's form.
"""

from __future__ import annotations

import io

from config.datasets import BY_NAME, DATASETS, DatasetDef

__all__ = ["TEMPLATE_DATASETS", "template_filename", "template_xlsx"]

TEMPLATE_DATASETS: tuple[str, ...] = tuple(d.name for d in DATASETS if d.opendk_header)


def _dataset(name: str) -> DatasetDef:
    dataset = BY_NAME.get(name)
    if dataset is None or not dataset.opendk_header:
        raise KeyError(f"no OpenDK template for dataset {name!r}")
    return dataset


def template_filename(name: str) -> str:
    """OpenDK's file name of the dataset's template (Format_Upload_APBDes.xlsx)."""
    return _dataset(name).opendk_file


def template_xlsx(name: str) -> bytes:
    """The empty template: one sheet named as OpenDK's, its header row, nothing else."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    dataset = _dataset(name)
    book = Workbook()
    sheet = book.active
    sheet.title = dataset.opendk_sheet[:31]  # Excel's limit on sheet names
    sheet.append(list(dataset.opendk_header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
