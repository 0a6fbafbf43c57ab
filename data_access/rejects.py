"""The rejects file of an import run with ``--skip-invalid``: every rejected row, unchanged.

Data-access layer, used by the importer. One CSV holds the rejected rows of every file of
the batch. Its columns are ``file``, ``line`` (where the record starts in that file) and
``reason`` (every problem of the row, ``column: reason`` joined by ``; ``), then the union of
the batch files' header names (each file's in its own order, files in contract order): a
rejected row's cells sit under their own column names, exactly as written, so a data manager
can filter by file, fix the cells and send those rows again. Cells beyond the end of a ragged
row's header go to ``extra_1``, ``extra_2``...; a sender's own ``file``, ``line`` or
``reason`` column becomes ``reason_in_file`` and so on. Cells are not formula-neutralised:
they are the sender's own cells, and re-importing them must mean what it meant the first time.

Rows are spooled to a temporary file while the import streams (there may be millions) and
the final file is composed at the end, when the set of columns is known.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from data_access.csv_rows import Layout

_OURS = frozenset({"file", "line", "reason"})


class RejectsFile:
    """Collects rejected rows; :meth:`finish` writes them to ``path`` (nothing if none)."""

    def __init__(self, layouts: list[Layout]) -> None:
        self.headers = {layout.filename: layout.header for layout in layouts}
        self.count = 0
        self._extra = 0
        self._spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._spool)

    def add(self, file: str, line: int, reason: str, cells: list[str]) -> None:
        self._writer.writerow([file, line, reason, *cells])
        self._extra = max(self._extra, len(cells) - len(self.headers[file]))
        self.count += 1

    def finish(self, path: Path) -> Path | None:
        """Write the rejects file and release the spool; the path, or None when no row was
        rejected."""
        try:
            if not self.count:
                return None
            columns = ["file", "line", "reason"]
            labels: dict[str, list[str]] = {}
            for file, header in self.headers.items():
                # A sender's own "reason" column must not overwrite ours.
                labels[file] = [f"{n}_in_file" if n in _OURS else n for n in header]
                columns += [label for label in labels[file] if label not in columns]
            extras = []
            for number in range(1, self._extra + 1):
                label = f"extra_{number}"
                while label in columns:
                    label = "_" + label
                extras.append(label)
            columns += extras
            place = {name: index for index, name in enumerate(columns)}
            path.parent.mkdir(parents=True, exist_ok=True)
            self._spool.seek(0)
            with path.open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out, lineterminator="\r\n")
                writer.writerow(columns)
                for file, line, reason, *cells in csv.reader(self._spool):
                    names = labels[file]
                    row = [""] * len(columns)
                    row[:3] = [file, line, reason]
                    for index, cell in enumerate(cells):
                        label = names[index] if index < len(names) else extras[index - len(names)]
                        row[place[label]] = cell
                    writer.writerow(row)
            return path
        finally:
            self.close()

    def close(self) -> None:
        self._spool.close()
