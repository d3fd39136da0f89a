"""Keep the C allocator from handing batch-sized buffers back to the kernel after every use.

Each batch allocates a few dozen NumPy temporaries of 0.25–2 MB. glibc serves blocks that
large with ``mmap`` and returns them with ``munmap``, so every temporary costs fresh pages and
a page fault per 4 KB touched: on this project's benchmark machine that was three quarters of
the time of ``compute -l mse`` (15 ns per row, 4 ns with the tuning below). Raising the
``mmap`` threshold and the trim threshold lets freed blocks be reused instead. The memory kept
is what the batches used at their peak, so the bound on memory does not change.

Only glibc has ``mallopt``; elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

# mallopt parameters, from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3

_MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest allowed value on 64-bit systems
_TRIM_THRESHOLD = 128 * 1024 * 1024
_TOP_PAD = 16 * 1024 * 1024

_tuned = False


def keep_freed_buffers() -> bool:
    """Tune glibc's allocator for batch-sized temporaries, once; whether it was tuned."""
    global _tuned
    if _tuned:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):  # musl and other C libraries have no mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _tuned = all(
        mallopt(option, value)
        for option, value in (
            (_M_MMAP_THRESHOLD, _MMAP_THRESHOLD),
            (_M_TRIM_THRESHOLD, _TRIM_THRESHOLD),
            (_M_TOP_PAD, _TOP_PAD),
        )
    )
    return _tuned
