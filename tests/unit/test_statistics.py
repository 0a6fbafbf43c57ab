"""Contract of the statistics package: pure, documented, and quiet on degenerate input."""

from __future__ import annotations

import ast
import inspect
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import data_access.statistics as statistics

PACKAGE_DIR = Path(statistics.__file__).parent
ALLOWED_IMPORTS = {
    "__future__",
    "bisect",
    "collections",
    "dataclasses",
    "enum",
    "itertools",
    "math",
    "numpy",
    "scipy",
    "typing",
    "data_access",
}


def test_modules_import_nothing_but_numerics_and_the_standard_library() -> None:
    # "Pure functions ... No I/O, no Dash" (STYLE.md): no dash, pandas, sqlalchemy, os, io.
    for module in PACKAGE_DIR.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= ALLOWED_IMPORTS, f"{module.name} imports {roots - ALLOWED_IMPORTS}"


def test_modules_stay_small() -> None:
    for module in PACKAGE_DIR.glob("*.py"):
        assert len(module.read_text(encoding="utf-8").splitlines()) <= 250, module.name


PUBLIC_FUNCTIONS = [
    getattr(statistics, name)
    for name in statistics.__all__
    if inspect.isfunction(getattr(statistics, name))
]


@pytest.mark.parametrize("function", PUBLIC_FUNCTIONS, ids=lambda f: f.__name__)
def test_every_public_function_documents_its_method(function: Callable[..., Any]) -> None:
    doc = inspect.getdoc(function) or ""
    assert "Method:" in doc, function.__name__
    assert function.__name__ in (statistics.__doc__ or ""), "missing from the API overview"


DEGENERATE_CALLS: list[tuple[str, Callable[[], object]]] = [
    ("wilson n=0", lambda: statistics.wilson_interval(0, 0)),
    ("wilson empty", lambda: statistics.wilson_interval([], [])),
    ("garwood exposure=0", lambda: statistics.garwood_interval(0, 0)),
    ("rate no procedures", lambda: statistics.rate_per_1000([0], [0])),
    ("funnel n=0", lambda: statistics.funnel_limits(0.02, 0)),
    ("funnel p0=0", lambda: statistics.funnel_limits(0.0, [0, 1, 100])),
    ("funnel p0=1", lambda: statistics.funnel_limits(1.0, [0, 1, 100])),
    ("funnel p0=nan", lambda: statistics.funnel_limits(float("nan"), 10)),
    ("normal funnel p0=0", lambda: statistics.funnel_limits_normal(0.0, [0, 10])),
    ("adjusted phi=inf", lambda: statistics.overdispersion_adjusted_limits(0.1, 10, math.inf)),
    ("classify empty", lambda: statistics.classify_funnel([], [], 0.02)),
    ("classify p0=0 n=0", lambda: statistics.classify_funnel([0], [0], 0.0)),
    ("z-scores p0=1", lambda: statistics.funnel_z_scores([1], [1], 1.0)),
    ("phi empty", lambda: statistics.overdispersion_test([], [], 0.1)),
    ("phi one clinic", lambda: statistics.overdispersion_test([1], [10], 0.1)),
    ("p-chart empty", lambda: statistics.p_chart([], [])),
    ("p-chart n=0", lambda: statistics.p_chart([0], [0])),
    ("laney single", lambda: statistics.laney_p_prime_chart([1], [10])),
    ("laney p=0", lambda: statistics.laney_p_prime_chart([0, 0], [10, 10])),
    ("laney gaps", lambda: statistics.laney_p_prime_chart([1, 0, 1], [10, 0, 10])),
    ("runs empty", lambda: statistics.anhoej_signals([], 0.0)),
    ("runs single", lambda: statistics.anhoej_signals([1.0], 0.0)),
    ("runs inf", lambda: statistics.anhoej_signals([np.inf, 1.0], np.inf)),
    ("quantiles empty", lambda: statistics.quantiles_from_counts({})),
]


@pytest.mark.parametrize(("label", "call"), DEGENERATE_CALLS, ids=[c[0] for c in DEGENERATE_CALLS])
def test_degenerate_input_neither_raises_nor_warns(label: str, call: Callable[[], object]) -> None:
    # pyproject turns warnings into errors, so a stray numpy RuntimeWarning fails here too.
    call()
