"""Reading the CSV files of a contract batch, and the formula neutralisation of CSV text.

Data-access layer, used by the importer (and, for :func:`neutralise_formula`, the exporter).
It finds the contract files in a batch folder, refuses files that are not UTF-8 CSV, maps
each header onto the contract's columns (names trimmed and lower-cased, order free, unknown
columns reported) and streams the records in chunks, each with the line it starts on, so a
file of millions of rows never sits in memory.

Formula neutralisation: a spreadsheet runs a cell that starts with ``= + - @`` (or a tab or
carriage return) as a formula, so the exporter writes such text with one leading apostrophe
and the importer strips exactly that apostrophe again. Text that already starts with
apostrophes in front of such a character gets one more, which makes the pair exact inverses:
export then import gives back every text verbatim.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from data_access.batch_problems import Problem
from data_access.contract import FILES, FileSpec

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """The cell to write for ``text`` so that no spreadsheet evaluates it."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def restore_formula(cell: str) -> str:
    """The text behind a cell written by :func:`neutralise_formula` (its exact inverse)."""
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


@dataclass(frozen=True)
class Layout:
    """One contract file of a batch and how its header maps onto the contract's columns."""

    spec: FileSpec
    path: Path
    header: tuple[str, ...]  # trimmed, lower-cased names in the file's own order
    positions: dict[str, int]  # contract column -> index of its cell

    @property
    def filename(self) -> str:
        return self.spec.filename

    @property
    def unknown(self) -> tuple[str, ...]:
        known = set(self.spec.column_names)
        return tuple(name for name in self.header if name not in known)


@dataclass
class Chunk:
    """Consecutive records of a file: the line each starts on and its cells as written."""

    lines: list[int]
    records: list[list[str]]


def find_layouts(directory: Path) -> tuple[list[Layout], list[Problem], list[str]]:
    """The contract files of a batch folder in dependency order, with batch-level problems
    (folder or files unreadable, not UTF-8 CSV, header defects) and warnings."""
    name = str(directory)
    if not directory.is_dir():
        return [], [Problem(name, 0, "", "no such folder")], []
    by_name: dict[str, list[Path]] = {}
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.suffix.lower() == ".csv":
            by_name.setdefault(path.name.lower(), []).append(path)
    layouts: list[Layout] = []
    problems: list[Problem] = []
    for spec in FILES:
        paths = by_name.pop(spec.filename, [])
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            problems.append(
                Problem(spec.filename, 0, "", f"several files differ only in case: {names}")
            )
        elif paths:
            layout, file_problems = _read_layout(spec, paths[0])
            problems += file_problems
            if layout is not None:
                layouts.append(layout)
    if not layouts and not problems:
        expected = ", ".join(spec.filename for spec in FILES)
        problems.append(Problem(name, 0, "", f"no contract file in this folder ({expected})"))
    warnings = [
        f"{layout.filename}: unknown columns ignored: {', '.join(layout.unknown)}"
        for layout in layouts
        if layout.unknown
    ]
    # Earlier rejects files live in the batch folder on purpose; anything else is likely a typo.
    strays = sorted(
        p.name for ps in by_name.values() for p in ps if not p.name.startswith("rejects-")
    )
    if strays:
        warnings.append(f"files that are not part of the contract ignored: {', '.join(strays)}")
    return layouts, problems, warnings


def _read_layout(spec: FileSpec, path: Path) -> tuple[Layout | None, list[Problem]]:
    bad_byte = first_non_utf8_line(path)
    if bad_byte is not None:
        return None, [Problem(spec.filename, bad_byte, "", "is not UTF-8 text")]
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            raw = next(csv.reader(handle, strict=True), None)
    except csv.Error as exc:
        return None, [Problem(spec.filename, 1, "", f"is not valid CSV: {exc}")]
    if not raw:
        return None, [Problem(spec.filename, 1, "", "is empty: the header row is missing")]
    header = tuple(cell.strip().lower() for cell in raw)
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        return None, [Problem(spec.filename, 1, "", "the header has one column: use commas")]
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in positions:
            problems.append(Problem(spec.filename, 1, name, "appears twice in the header"))
        positions.setdefault(name, index)
    for column in spec.columns:
        if column.required and column.name not in positions:
            problems.append(
                Problem(spec.filename, 1, column.name, "required column missing from the header")
            )
    known = {c: i for c, i in positions.items() if c in spec.column_names}
    return Layout(spec, path, header, known), problems


def first_non_utf8_line(path: Path) -> int | None:
    """The line of the first byte sequence that is not UTF-8, or None for a clean file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return line + exc.object[: exc.start].count(b"\n")
            line += block.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return line
    return None


class NotCsv(Exception):
    """A record could not be parsed as RFC 4180 CSV; ``problem`` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_chunks(layout: Layout, size: int) -> Iterator[Chunk]:
    """The data records of a file, ``size`` at a time. Blank lines are not records."""
    with layout.path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        chunk = Chunk([], [])
        last_line = 0
        header_seen = False
        try:
            for cells in reader:
                start, last_line = last_line + 1, reader.line_num
                if not header_seen or not cells:
                    header_seen = True
                    continue  # the header, or an empty line
                chunk.lines.append(start)
                chunk.records.append(cells)
                if len(chunk.lines) >= size:
                    yield chunk
                    chunk = Chunk([], [])
        except csv.Error as exc:
            raise NotCsv(
                Problem(layout.filename, last_line + 1, "", f"is not valid CSV: {exc}")
            ) from exc
        if chunk.lines:
            yield chunk
