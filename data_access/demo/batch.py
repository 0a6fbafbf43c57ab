"""The demo batch: one typed pandas DataFrame per contract file, plus what the demo planted.

Data-access layer (demo data). Columns are exactly the contract's (``data_access.contract``),
typed by the contract's column kinds: text and enumerations as pandas strings, integers as
``Int64``, decimals as ``float64``, booleans as ``boolean``, dates and datetimes as
``datetime64[s]``. A datetime of exactly midnight means that only the date is known: the CSV
writer then writes the date alone and ``load_demo`` stores NULL in the ``*_at`` column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from data_access.contract import (
    ADVERSE_EVENTS,
    CLINICS,
    FOLLOWUPS,
    PROCEDURES,
    REFERRALS,
    FileSpec,
    Kind,
)

#: The pandas dtype of each contract column kind.
KIND_DTYPES: dict[Kind, str] = {
    Kind.TEXT: "str",
    Kind.ENUM: "str",
    Kind.STATE: "str",
    Kind.INTEGER: "Int64",
    Kind.DECIMAL: "float64",
    Kind.BOOLEAN: "boolean",
    Kind.DATE: "datetime64[s]",
    Kind.DATETIME: "datetime64[s]",
}


@dataclass(frozen=True)
class DemoBatch:
    """A generated clinic network, in the contract's exchange format."""

    clinics: pd.DataFrame
    procedures: pd.DataFrame
    followups: pd.DataFrame
    adverse_events: pd.DataFrame
    referrals: pd.DataFrame
    #: Clinics whose adverse-event rate drifts upward over the last two years (the signal the
    #: surveillance statistics should find). Not part of the exchange format.
    drifting_clinics: tuple[str, ...] = field(default=())

    def frames(self) -> dict[str, pd.DataFrame]:
        """The frames keyed by contract file name, in dependency order."""
        return {
            CLINICS.name: self.clinics,
            PROCEDURES.name: self.procedures,
            FOLLOWUPS.name: self.followups,
            ADVERSE_EVENTS.name: self.adverse_events,
            REFERRALS.name: self.referrals,
        }


def contract_frame(spec: FileSpec, columns: Mapping[str, Any]) -> pd.DataFrame:
    """A frame with exactly ``spec``'s columns in its order, each typed by its kind.

    Missing values come in as ``None`` (text, in object arrays), ``NaN`` or ``NaT``."""
    if set(columns) != set(spec.column_names):
        raise ValueError(
            f"{spec.name}: columns {sorted(columns)} differ from {list(spec.column_names)}"
        )
    data = {}
    for column in spec.columns:
        data[column.name] = pd.Series(columns[column.name]).astype(KIND_DTYPES[column.kind])
    return pd.DataFrame(data)


def labels(
    choices: Iterable[str], codes: np.ndarray, missing: np.ndarray | None = None
) -> np.ndarray:
    """The values (an enumeration's, say) for integer ``codes`` as an object array; ``None``
    where ``missing`` is true."""
    values = np.array([str(c) for c in choices], dtype=object)[codes]
    if missing is not None:
        values[missing] = None
    return values


def iso_text(values: np.ndarray, unit: Literal["D", "m", "us"], separator: str = "T") -> np.ndarray:
    """ISO 8601 text (``2025-03-14``, ``2025-03-14T09:30``, ...) of ``datetime64`` values to
    ``unit``, as an object array with ``None`` for NaT."""
    moments = np.asarray(values).astype(f"datetime64[{unit}]")
    text = np.datetime_as_string(moments, unit=unit)
    if separator != "T":
        text = np.char.replace(text, "T", separator)
    spelled = text.astype(object)
    spelled[np.isnat(moments)] = None
    return spelled


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """``prefix`` + zero-padded numbers (``P-000123``), vectorised, as an object array (so that
    indexing it shares the strings instead of copying them)."""
    digits = np.char.zfill(np.asarray(numbers, dtype=np.int64).astype(str), width)
    return np.char.add(prefix, digits).astype(object)


def masked_ints(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
    """An ``Int64`` array with ``missing`` positions as NA."""
    return pd.arrays.IntegerArray(np.asarray(values, dtype=np.int64), np.asarray(missing, bool))
