"""What an import reports when a batch breaks the data contract: problems and the refusal.

Data-access layer, shared by the importer's modules (and re-exported by ``importer``). A
problem names the file, the line the record starts on (the header is line 1), the column and
the reason, so the clinic's data manager can find and fix it in the file they sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One defect of a batch: ``procedures.csv:7: pain_after: 11 is outside 0–10``.

    ``line`` is 0 and ``column`` empty for defects of the batch or of a whole file.
    """

    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"
        )


class ImportRejected(Exception):
    """The batch was refused and nothing was written; ``problems`` lists every defect found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        count = len(self.problems)
        first = f": {self.problems[0]}" if self.problems else ""
        super().__init__(f"import refused, {count} problem(s){first}")
