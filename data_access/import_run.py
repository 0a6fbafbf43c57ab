"""One pass of an import over a batch: stream each file, check its rows, upsert the good ones.

Data-access layer, driven by :func:`data_access.importer.import_batch`, which owns the
savepoint around a pass. Files go in dependency order and chunk by chunk: parse the cells,
flag ragged rows and duplicate ids, run the cross-row checks of ``row_checks``, then upsert
the rows without issues at once, so the next file's references resolve against the database
alone. In all-or-nothing mode valid rows are still written (the savepoint is rolled back at
the end) so that every problem of every file is found in one pass; rejected rows become
problems, or lines of the rejects file under ``--skip-invalid``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, Connection, String, any_, bindparam, select

from data_access.batch_problems import ImportRejected, Problem
from data_access.bulk_write import Counts, MovedChild, StagedUpsert
from data_access.contract import FILES, PROCEDURES
from data_access.csv_rows import Layout, NotCsv, read_chunks
from data_access.rejects import RejectsFile
from data_access.row_checks import COLUMN_BUILDERS, BatchState, Issue, ParsedChunk
from data_access.schema import CONTRACT_TABLES, clinics, procedures
from data_access.validation import ColumnParser, Invalid, show
from data_access.write_behind import WriteBehind

#: Records per chunk: large enough for COPY to pay off, small enough to stay out of swap.
CHUNK_ROWS = 50_000
#: Ids per ``IN (...)`` lookup on SQLite (it allows 32,766 parameters).
LOOKUP_IDS = 5_000

_NAMES: tuple[str, ...] = tuple(spec.name for spec in FILES)


@dataclass
class PassResult:
    inserted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_NAMES, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_NAMES, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_NAMES, 0))
    rejected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_NAMES, 0))
    problems: list[Problem] = field(default_factory=list)


class ImportPass:
    """One attempt at importing ``layouts``; ``preset`` rejects rows found bad by an earlier
    attempt (procedures that would move past their follow-ups or events)."""

    def __init__(
        self,
        *,
        conn: Connection,
        layouts: list[Layout],
        skip_invalid: bool,
        latest: date,
        default_timezone: str,
        preset: dict[tuple[str, int], Issue],
        progress: Callable[[int], None] | None,
    ) -> None:
        self.conn = conn
        self.layouts = layouts
        self.skip_invalid = skip_invalid
        self.preset = preset
        self.progress = progress
        self.result = PassResult()
        self.rejects = RejectsFile(layouts)
        self.writes = WriteBehind(background=conn.dialect.name == "postgresql")
        zones = {
            key: zone for key, zone in conn.execute(select(clinics.c.clinic_id, clinics.c.timezone))
        }
        self.state = BatchState(
            latest=latest,
            default_timezone=default_timezone,
            clinic_zones=zones,
            lookup_procedures=self._lookup_procedures,
            rejected={name: {} for name in _NAMES},
        )
        # (child file, child id) -> (line of the procedure, the conflict) until the batch's
        # own row for that child proves it fine.
        self.moved: dict[tuple[str, str], tuple[int, MovedChild]] = {}

    def run(self) -> PassResult:
        try:
            for layout in self.layouts:
                self._run_file(layout)
        finally:
            self.writes.close()
        return self.result

    def _run_file(self, layout: Layout) -> None:
        upsert = StagedUpsert(self.conn, CONTRACT_TABLES[layout.spec.name])
        parsers = {column.name: ColumnParser(column) for column in layout.spec.columns}
        seen: dict[str, int] = {}
        try:
            for chunk in read_chunks(layout, CHUNK_ROWS):
                parsed = self._parse(layout, parsers, chunk.lines, chunk.records)
                self._check_and_write(layout, parsed, seen, upsert)
                if self.progress is not None:
                    self.progress(len(chunk.lines))
        except NotCsv as exc:
            raise ImportRejected([exc.problem]) from None
        self.writes.wait()  # the next file's checks need this one's rows in the database
        upsert.close()

    def moved_problems(self) -> list[Problem]:
        """Procedures whose new date is after a follow-up or event they keep in the database."""
        by_line: dict[int, list[MovedChild]] = {}
        for line, moved in self.moved.values():
            by_line.setdefault(line, []).append(moved)
        problems = []
        for line, children in sorted(by_line.items()):
            children.sort(key=lambda child: (child.child_on, child.child_id))
            named = ", ".join(
                f"{'follow-up' if c.file == 'followups' else 'adverse event'} "
                f"{show(c.child_id)} of {c.child_on}"
                for c in children[:3]
            )
            more = f" and {len(children) - 3} more" if len(children) > 3 else ""
            reason = f"{children[0].performed_on} is after its {named}{more}"
            problems.append(Problem(PROCEDURES.filename, line, "performed_at", reason))
        return problems

    def _parse(
        self,
        layout: Layout,
        parsers: dict[str, ColumnParser],
        lines: list[int],
        records: list[list[str]],
    ) -> ParsedChunk:
        width = len(layout.header)
        ragged = [row for row, cells in enumerate(records) if len(cells) != width]
        aligned = records
        if ragged:
            # Padded or cut so every column has a cell; only the id of such a row is used.
            pad = [""] * width
            aligned = [cells if len(cells) == width else (cells + pad)[:width] for cells in records]
        chunk = ParsedChunk(layout.spec.name, lines, records, {})
        by_column = list(zip(*aligned, strict=True))
        for name, parser in parsers.items():
            position = layout.positions.get(name)
            if position is None:
                chunk.values[name] = [None] * len(lines)
                continue
            values = parser.parse(by_column[position])
            chunk.values[name] = values
            if Invalid in set(map(type, values)):  # a C-speed test first: bad cells are rare
                for row, value in enumerate(values):
                    if value.__class__ is Invalid:
                        chunk.add(row, name, value.reason)
        skipped = set()
        for row in ragged:
            reason = f"has {len(records[row])} cells but the header has {width}"
            chunk.issues[row] = [Issue("", reason)]
            skipped.add(row)
        if self.preset:
            for row, line in enumerate(lines):
                issue = self.preset.get((layout.spec.name, line))
                if issue is not None:
                    chunk.issues[row] = [issue]
                    skipped.add(row)
        chunk.candidates = [row for row in range(len(lines)) if row not in skipped]
        return chunk

    def _check_and_write(
        self, layout: Layout, chunk: ParsedChunk, seen: dict[str, int], upsert: StagedUpsert
    ) -> None:
        spec, lines = layout.spec, chunk.lines
        keys = chunk.values[spec.key]
        for row in chunk.candidates:
            key = keys[row]
            if isinstance(key, str):
                first = seen.setdefault(key, lines[row])
                if first != lines[row]:
                    chunk.add(row, spec.key, f"duplicate id {show(key)}: also on line {first}")
                    chunk.duplicates.add(row)
        columns = {**chunk.values, **COLUMN_BUILDERS[spec.name](chunk, self.state)}
        table = CONTRACT_TABLES[spec.name]
        issues = chunk.issues
        table_rows = zip(*(columns[column.name] for column in table.columns), strict=True)
        if issues:
            rows = [values for row, values in enumerate(table_rows) if row not in issues]
            accepted = [keys[row] for row in range(len(lines)) if row not in issues]
        else:
            rows, accepted = list(table_rows), keys
        self.writes.submit(
            lambda: upsert.write(rows), lambda written: self._written(spec.name, chunk, *written)
        )
        self._remember(spec.name, accepted, columns, chunk)
        self._reject(layout, chunk)

    def _remember(
        self, name: str, accepted: list[Any], columns: dict[str, list[Any]], chunk: ParsedChunk
    ) -> None:
        """What later chunks and files must know of the rows just accepted (written by the
        time any later check reads the database)."""
        if name == "clinics":
            zones = [z for row, z in enumerate(columns["timezone"]) if row not in chunk.issues]
            self.state.clinic_zones.update(zip(accepted, zones, strict=True))
        elif name in ("followups", "adverse_events") and self.moved:
            for key in accepted:
                self.moved.pop((name, key), None)

    def _written(
        self, name: str, chunk: ParsedChunk, counts: Counts, moved: list[MovedChild]
    ) -> None:
        self.result.inserted[name] += counts.inserted
        self.result.updated[name] += counts.updated
        self.result.unchanged[name] += counts.unchanged
        if moved:
            keys, issues = chunk.values["procedure_id"], chunk.issues
            line_of = {keys[row]: line for row, line in enumerate(chunk.lines) if row not in issues}
            for child in moved:
                self.moved[(child.file, child.child_id)] = (line_of[child.procedure_id], child)

    def _reject(self, layout: Layout, chunk: ParsedChunk) -> None:
        name, rejected = layout.spec.name, self.state.rejected[layout.spec.name]
        keys = chunk.values[layout.spec.key]
        self.result.rejected[name] += len(chunk.issues)
        for row, issues in sorted(chunk.issues.items()):
            line, key = chunk.lines[row], keys[row]
            if isinstance(key, str) and row not in chunk.duplicates:
                rejected.setdefault(key, line)
            if self.skip_invalid:
                reason = "; ".join(
                    f"{i.column}: {i.reason}" if i.column else i.reason for i in issues
                )
                self.rejects.add(layout.filename, line, reason, chunk.records[row])
            else:
                self.result.problems += [
                    Problem(layout.filename, line, i.column, i.reason)
                    for i in issues
                    if not i.dependent
                ]

    def _lookup_procedures(self, ids: set[str]) -> dict[str, tuple[date, str]]:
        self.writes.wait()  # the connection is the writer's until it is done
        query = select(
            procedures.c.procedure_id, procedures.c.performed_on, clinics.c.timezone
        ).join(clinics, clinics.c.clinic_id == procedures.c.clinic_id)
        wanted, found = list(ids), {}
        if self.conn.dialect.name == "postgresql":
            # One array parameter instead of thousands of bound values.
            any_id = procedures.c.procedure_id == any_(bindparam("ids", type_=ARRAY(String)))
            rows = self.conn.execute(query.where(any_id), {"ids": wanted})
            return {key: (on, zone) for key, on, zone in rows}
        for start in range(0, len(wanted), LOOKUP_IDS):
            part = procedures.c.procedure_id.in_(wanted[start : start + LOOKUP_IDS])
            found.update(
                {key: (on, zone) for key, on, zone in self.conn.execute(query.where(part))}
            )
        return found
