"""The rows of an XLSX's first sheet, streamed with expat: no DTD, no entities, bounded.

OpenSID writes its XLSX with OpenSpout (strings inline, numbers as numbers, empty cells left
out, every cell with its `r` reference). This reader takes any well-formed XLSX, but refuses a
part with a DOCTYPE (so no entity can be declared, let alone expanded: the billion-laughs
attack ends at its first line), a token longer than `xml_token_bytes` (expat would buffer it),
a cell beyond column `columns` or longer than `cell_chars`, and more than `rows` rows. The sheet
is inflated and parsed in chunks: memory stays at one chunk and one row, whatever the size of
the sheet. openpyxl is not used because, without defusedxml installed, it lets expat expand
internal entities, and in read-only mode it pads every row to the sheet's declared dimension.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from xml.parsers import expat

from collectors.opendk.archive import open_member, open_zip
from collectors.opendk.errors import Bad
from collectors.opendk.limits import Limits

XLSX_MEMBERS = 500  # an XLSX of one sheet has about a dozen parts
_CHUNK = 64 * 1024  # at most xml_token_bytes (see _feed)
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
_INT = re.compile(r"-?\d+$")
_DEFAULT_SHEET = "xl/worksheets/sheet1.xml"

Cell = str | int | float | None


def xlsx_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, list[Cell]]]:
    """(row number, cells by column) of the first sheet, in file order; a missing cell is
    None, a string stays text, a number is int or float."""
    archive = open_zip(data, limits, members=XLSX_MEMBERS)
    with archive:
        names = {info.filename: info for info in archive.infolist()}
        sheet = _first_sheet(archive, names, limits)
        shared = _shared_strings(archive, names, limits)
        stream = open_member(archive, names[sheet], limits, limits.member_bytes)
        with stream:
            yield from _SheetReader(shared, limits, sheet).rows(stream)


# ------------------------------------------------------------------ secure expat


def _parser(part: str) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True

    def refuse(*_args) -> None:
        raise Bad("xml.doctype", part=part)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _feed(parser: expat.XMLParserType, stream, limits: Limits, part: str) -> Iterator[None]:
    """Feed a part to expat chunk by chunk, yielding after each; refuse a token longer than
    xml_token_bytes (counted as the bytes between two '<'). Only runs across chunks are
    counted, so a chunk is never longer than the bound."""
    run = 0
    size = min(_CHUNK, limits.xml_token_bytes)
    try:
        while chunk := stream.read(size):
            first = chunk.find(b"<")
            if first < 0:
                run += len(chunk)
            else:
                if run + first > limits.xml_token_bytes:
                    raise Bad("xml.token", part=part, limit=limits.xml_token_bytes)
                run = len(chunk) - chunk.rfind(b"<") - 1
            if run > limits.xml_token_bytes:
                raise Bad("xml.token", part=part, limit=limits.xml_token_bytes)
            parser.Parse(chunk, False)
            yield
        parser.Parse(b"", True)
        yield
    except expat.ExpatError as exc:
        raise Bad("xml.invalid", part=part, line=exc.lineno) from None


def _local(name: str) -> str:
    """An element's name without its namespace (expat gives "namespace name")."""
    return name.rpartition(" ")[2].rpartition(":")[2]


def _parse_part(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: Limits,
    start: Callable,
    end: Callable | None = None,
    text: Callable | None = None,
) -> None:
    parser = _parser(info.filename)
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    with open_member(archive, info, limits, limits.xml_part_bytes) as stream:
        for _ in _feed(parser, stream, limits, info.filename):
            pass


# ------------------------------------------------------------------ workbook parts


def _first_sheet(archive: zipfile.ZipFile, names: dict, limits: Limits) -> str:
    """The part of the workbook's first sheet (workbook.xml, then its relationships)."""
    if "xl/workbook.xml" not in names:
        raise Bad("xlsx.invalid", detail="no xl/workbook.xml")
    found: list[str] = []

    def sheet(name: str, attrs: dict) -> None:
        if _local(name) == "sheet" and not found:
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), None)
            found.append(rid or "")

    _parse_part(archive, names["xl/workbook.xml"], limits, sheet)
    if not found:
        raise Bad("xlsx.invalid", detail="the workbook has no sheet")
    rels = "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if rels in names:

        def relationship(name: str, attrs: dict) -> None:
            if _local(name) == "Relationship" and "Id" in attrs:
                targets[attrs["Id"]] = attrs.get("Target", "")

        _parse_part(archive, names[rels], limits, relationship)
    target = targets.get(found[0], "")
    part = target.lstrip("/") if target.startswith("/") else f"xl/{target}" if target else ""
    if part in names:
        return part
    if _DEFAULT_SHEET in names:
        return _DEFAULT_SHEET
    raise Bad("xlsx.invalid", detail="the first sheet's part is missing")


def _shared_strings(archive: zipfile.ZipFile, names: dict, limits: Limits) -> list[str]:
    """The shared string table (OpenSpout leaves it empty: its strings are inline)."""
    info = names.get("xl/sharedStrings.xml")
    if info is None:
        return []
    strings: list[str] = []
    parts: list[str] = []
    state = {"in_t": False, "phonetic": 0, "size": 0}

    def start(name: str, _attrs: dict) -> None:
        local = _local(name)
        if local == "si":
            parts.clear()
            state["size"] = 0
        elif local == "rPh":
            state["phonetic"] += 1
        elif local == "t" and not state["phonetic"]:
            state["in_t"] = True

    def end(name: str) -> None:
        local = _local(name)
        if local == "si":
            strings.append("".join(parts))
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local == "t":
            state["in_t"] = False

    def text(data: str) -> None:
        if state["in_t"]:
            state["size"] += len(data)
            if state["size"] > limits.cell_chars:
                raise Bad("table.cell_too_long", row="sharedStrings", limit=limits.cell_chars)
            parts.append(data)

    _parse_part(archive, info, limits, start, end, text)
    return strings


# ------------------------------------------------------------------ the sheet


def column_index(letters: str) -> int:
    """0 for A, 25 for Z, 26 for AA."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


class _SheetReader:
    """expat callbacks that build one row at a time."""

    def __init__(self, shared: list[str], limits: Limits, part: str) -> None:
        self.shared, self.limits, self.part = shared, limits, part
        self.done: list[tuple[int, list[Cell]]] = []
        self.rows_seen = 0
        self.row_number = 0
        self.cells: dict[int, Cell] | None = None
        self.column = -1
        self.kind: str | None = None
        self.text: list[str] = []
        self.size = 0
        self.collect = False
        self.in_cell = False
        self.in_inline = False
        self.phonetic = 0
        self._locals: dict[str, str] = {}  # element names repeat: strip each namespace once

    def _local(self, name: str) -> str:
        local = self._locals.get(name)
        if local is None:
            local = self._locals[name] = _local(name)
        return local

    def rows(self, stream) -> Iterator[tuple[int, list[Cell]]]:
        parser = _parser(self.part)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        for _ in _feed(parser, stream, self.limits, self.part):
            if self.done:
                yield from self.done
                self.done.clear()

    def start(self, name: str, attrs: dict) -> None:
        local = self._local(name)
        if local == "row":
            self.rows_seen += 1
            # the header is one row more than the data rows
            if self.rows_seen > self.limits.rows + 1:
                raise Bad("table.too_many_rows", limit=self.limits.rows)
            ref = attrs.get("r", "")
            self.row_number = int(ref) if ref.isdecimal() and len(ref) <= 9 else self.row_number + 1
            self.cells = {}
            self.column = -1
        elif local == "c" and self.cells is not None:
            ref = _CELL_REF.match(attrs.get("r", ""))
            self.column = column_index(ref.group(1)) if ref else self.column + 1
            if self.column >= self.limits.columns:
                raise Bad("table.too_many_columns", row=self.row_number, limit=self.limits.columns)
            self.kind = attrs.get("t")
            self.text, self.size = [], 0
            self.in_cell = True
        elif not self.in_cell:
            return
        elif local == "v" and not self.in_inline:
            self.collect = True
        elif local == "is":
            self.in_inline = True
        elif local == "rPh":
            self.phonetic += 1
        elif local == "t" and self.in_inline and not self.phonetic:
            self.collect = True

    def end(self, name: str) -> None:
        local = self._local(name)
        if local in ("v", "t"):
            self.collect = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "is":
            self.in_inline = False
        elif local == "c" and self.in_cell:
            self.in_cell = False
            value = self._value()
            if value is not None and self.cells is not None:
                self.cells[self.column] = value
        elif local == "row" and self.cells is not None:
            width = max(self.cells, default=-1) + 1
            row: list[Cell] = [None] * width
            for index, value in self.cells.items():
                row[index] = value
            self.done.append((self.row_number, row))
            self.cells = None

    def chars(self, data: str) -> None:
        if self.collect:
            self.size += len(data)
            if self.size > self.limits.cell_chars:
                raise Bad("table.cell_too_long", row=self.row_number, limit=self.limits.cell_chars)
            self.text.append(data)

    def _value(self) -> Cell:
        text = "".join(self.text)
        kind = self.kind
        if kind == "inlineStr" or kind == "str" or kind == "d":
            return text
        if kind == "s":
            index = int(text) if text.isdecimal() and len(text) <= 9 else -1
            if not 0 <= index < len(self.shared):
                raise Bad("xlsx.invalid", detail=f"row {self.row_number}: no shared string")
            return self.shared[index]
        if kind == "e" or not text:
            return None
        if kind == "b":
            return 1 if text.strip() == "1" else 0
        text = text.strip()
        if len(text) > 40:
            return text  # no number is this long: left to the column's own check
        if _INT.match(text):
            return int(text)
        try:
            return float(text)
        except ValueError:
            return text  # left to the column's own check
