"""The worker's near cache: what it keeps, that a caller's changes reach nobody else, its bound."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.near_cache import NearCache, shareable


def frame() -> pd.DataFrame:
    return pd.DataFrame({"clinic_id": ["C1", "C2"], "procedures": [3, 5]})


def test_a_caller_changing_its_frame_changes_no_other_callers() -> None:
    near = NearCache()
    computed = frame()
    near.put("k", computed)
    computed.loc[0, "procedures"] = 99  # the computing request goes on with its own object
    first = near.get("k")
    first["procedures"] = first["procedures"] * 10
    first.loc[1, "clinic_id"] = "changed"
    del first["clinic_id"]
    second = near.get("k")
    pd.testing.assert_frame_equal(second, frame())
    series = frame()["procedures"]
    near.put("s", series)
    changed = near.get("s")
    changed.iloc[0] = -1
    assert near.get("s").tolist() == [3, 5]


@dataclass(frozen=True)
class Bounds:
    first: date
    last: date | None


@dataclass(frozen=True)
class Holder:
    rows: pd.DataFrame


@dataclass
class Mutable:
    value: int


def test_only_values_nobody_can_change_are_kept() -> None:
    kept = [frame(), frame()["procedures"], "text", 3, 2.5, date(2025, 1, 1),
            (date(2025, 1, 1), None), Bounds(date(2025, 1, 1), None)]  # fmt: skip
    refused = [[1, 2], {"a": 1}, Mutable(1), Holder(frame()), (1, [2]), ({"a": 1},)]
    assert all(shareable(value) for value in kept)
    assert not any(shareable(value) for value in refused)
    near = NearCache()
    for index, value in enumerate([*kept, *refused]):
        near.put(str(index), value)
    assert len(near) == len(kept)
    assert near.get(str(len(kept))) is None
    assert near.get("6") == (date(2025, 1, 1), None)


def test_the_least_recently_used_entry_goes_first() -> None:
    near = NearCache(size=2)
    near.put("a", "A")
    near.put("b", "B")
    assert near.get("a") == "A"  # now "b" is the least recently used
    near.put("c", "C")
    assert (near.get("a"), near.get("b"), near.get("c")) == ("A", None, "C")
    assert len(near) == 2
