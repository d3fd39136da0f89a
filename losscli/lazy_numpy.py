"""NumPy imported on first use, for modules that declare at import time and compute later.

The loss modules define kernels (NumPy code) next to their registry entries (plain data).
``losscli list``, ``describe`` and ``--help`` need only the data, so those modules bind ``np``
to a stand-in that imports NumPy when a kernel first touches it, then puts the real module
in its place::

    if TYPE_CHECKING:
        import numpy as np
    else:
        np = lazy_numpy(globals())

Module-level code of such a module must not touch ``np`` (that would import NumPy at once);
tests/test_startup.py checks that listing every loss leaves NumPy unimported.
"""

from __future__ import annotations

from typing import Any


class _LazyNumPy:
    """Stands in for ``numpy`` in one module's namespace until first attribute access."""

    __slots__ = ("_namespace",)

    def __init__(self, namespace: dict[str, Any]) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> Any:
        import numpy

        self._namespace["np"] = numpy  # later lookups in that module find NumPy itself
        return getattr(numpy, name)


def lazy_numpy(namespace: dict[str, Any]) -> Any:
    """A stand-in for ``np`` in ``namespace`` (a module's ``globals()``)."""
    return _LazyNumPy(namespace)
