"""The last results a worker read or computed, kept unpickled in front of the shared cache.

Presentation-layer wiring, used by :meth:`dashboard.runtime.Runtime.cached`. The result cache
(Redis, or Flask-Caching's in-process cache) stores pickles: every read is a round trip and
an unpickling, and one filter change reads ``clinic_figures`` four times (map, ranking,
follow-up completion, adverse events) and the clinic directory in every callback. With the
figures already cached, fetching and unpickling them took an eighth of a worker's CPU.

Keys name a data version (see ``Runtime.cached``), so an entry never goes stale: an import
makes new keys and the old entries fall out of the LRU. Values are shared between the
requests of the worker, so only values that a caller cannot change for the others are kept:
pandas frames and series (handed out as shallow copies: since pandas 3, copy-on-write means a
change to a copy never reaches the original) and immutable values (strings, numbers, dates,
frozen dataclasses and tuples of them, with no frame inside). Anything else is left to the
shared cache.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import threading
from collections import OrderedDict
from typing import Any

import pandas as pd

#: Entries kept per worker: a filter change reads about twenty results, so this holds the
#: last dozen or so changes (a few MB: results are aggregated to what a panel shows).
NEAR_ENTRIES = 256

_ATOMS = (str, bytes, int, float, complex, bool, decimal.Decimal, datetime.date,
          datetime.time, datetime.timedelta, type(None))  # fmt: skip


def shareable(value: Any) -> bool:
    """Whether ``value`` may be handed to several requests (see the module's docstring)."""
    return isinstance(value, (pd.DataFrame, pd.Series)) or _immutable(value)


def _immutable(value: Any) -> bool:
    """Atoms, and tuples and frozen dataclasses of them (a frame inside would be shared)."""
    if isinstance(value, _ATOMS):
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(_immutable(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        frozen = value.__dataclass_params__.frozen  # type: ignore[attr-defined]
        return bool(frozen) and all(
            _immutable(getattr(value, f.name)) for f in dataclasses.fields(value)
        )
    return False


def _handed_out(value: Any) -> Any:
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=False)
    return value


class NearCache:
    """A thread-safe LRU of shareable values by key."""

    def __init__(self, size: int = NEAR_ENTRIES) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> Any | None:
        """The value kept under ``key`` (a copy a caller may change), or ``None``."""
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                return None
            self._entries.move_to_end(key)
        return _handed_out(value)

    def put(self, key: str, value: Any) -> None:
        """Keep ``value`` under ``key`` if it is shareable (else nothing is kept)."""
        if value is None or not shareable(value):
            return
        kept = _handed_out(value)  # the caller may go on to change its own object
        with self._lock:
            self._entries[key] = kept
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
