"""``write_demo_csv``: a demo batch as the contract's CSV files.

Data-access layer (demo data). Dates are written ``YYYY-MM-DD``; datetimes
``YYYY-MM-DDTHH:MM``, or the date alone where only the date is known (midnight in the frame);
booleans ``true``/``false``; absent values as empty cells. UTF-8, RFC 4180 (CRLF, quotes
doubled), so the importer reads back exactly what was generated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from data_access.contract import FILES_BY_NAME, FileSpec, Kind
from data_access.demo.batch import DemoBatch, iso_text


def contract_text(spec: FileSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its dates, datetimes and booleans spelled as the contract wants."""
    columns: dict[str, object] = {}
    for column in spec.columns:
        series = frame[column.name]
        if column.kind in (Kind.DATE, Kind.DATETIME):
            moments = series.to_numpy(dtype="datetime64[s]")
            days = moments.astype("datetime64[D]")
            date_only = (days == moments) | (column.kind is Kind.DATE)
            columns[column.name] = np.where(date_only, iso_text(days, "D"), iso_text(moments, "m"))
        elif column.kind is Kind.BOOLEAN:
            text = np.where(series.fillna(False).to_numpy(dtype=bool), "true", "false")
            flags = text.astype(object)
            flags[series.isna().to_numpy()] = None
            columns[column.name] = flags
        else:
            columns[column.name] = series
    return pd.DataFrame(columns)


def write_demo_csv(batch: DemoBatch, directory: Path) -> dict[str, int]:
    """Write one contract CSV file per frame into ``directory`` (created if need be); returns
    the rows written per contract file name."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name, frame in batch.frames().items():
        spec = FILES_BY_NAME[name]
        contract_text(spec, frame).to_csv(
            directory / spec.filename, index=False, encoding="utf-8", lineterminator="\r\n"
        )
        written[name] = len(frame)
    return written
