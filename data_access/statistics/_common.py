"""Array plumbing shared by the statistics modules: coercion, scalar-or-array results, levels.

Data-access layer, pure: no I/O, no Dash. Every public statistic accepts numpy arrays or plain
numbers for its counts and hands back the same shape, so a figure builder can pass a whole
column while a KPI card passes one clinic's numbers.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
FloatOrArray: TypeAlias = float | FloatArray


def as_float_array(values: npt.ArrayLike) -> FloatArray:
    """``values`` as a float64 array (0-d for a scalar)."""
    return np.asarray(values, dtype=np.float64)


def broadcast_floats(*values: npt.ArrayLike) -> list[FloatArray]:
    """The inputs as float64 arrays broadcast to one shape, each a writable copy."""
    # np.broadcast_arrays returns read-only views; callers fill in NaN for invalid cells.
    return [
        np.array(a, dtype=np.float64) for a in np.broadcast_arrays(*map(as_float_array, values))
    ]


def unwrap(values: FloatArray) -> FloatOrArray:
    """A 0-d result as a Python float, so scalar callers get scalars back."""
    return float(values) if values.ndim == 0 else values


def is_whole(values: FloatArray) -> BoolArray:
    """Elementwise: finite and integer-valued (counts must be whole numbers)."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (np.floor(values) == values)


def check_level(name: str, level: float) -> float:
    """A confidence or coverage level, refused unless strictly between 0 and 1.

    A bad level is a programming error, not data, so it raises instead of returning NaN.
    """
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {level!r}")
    return level


def two_sided_tails(level: float) -> tuple[float, float]:
    """The lower and upper tail probabilities of a central ``level`` interval."""
    # (1 ± level)/2 keeps both tails symmetric in floating point (0.998 → 0.001, 0.999).
    return (1.0 - level) / 2.0, (1.0 + level) / 2.0


def normal_quantile(level: float) -> float:
    """The two-sided standard-normal multiplier of a central ``level`` interval (0.95 → 1.96)."""
    return float(stats.norm.ppf(two_sided_tails(level)[1]))
