"""Valid random inputs for losses whose targets need more than their target kind says.

Each module here (one per reference library) defines ``SAMPLERS``: loss name -> function
``(rng, n) -> (y_true, y_pred)``. ``tests.strategies.sample_inputs`` looks there first.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import numpy as np

Sampler = Callable[[np.random.Generator, int], tuple[Any, Any]]


def all_samplers() -> dict[str, Sampler]:
    """Every ``SAMPLERS`` entry of every module in this package."""
    found: dict[str, Sampler] = {}
    for module in pkgutil.iter_modules(__path__):
        found.update(getattr(importlib.import_module(f"{__name__}.{module.name}"), "SAMPLERS", {}))
    return found
