"""Run one function over a stream of parts on a few threads, results in the parts' order.

NumPy and Arrow release the GIL in their loops, so plain threads decode and compute in
parallel; keeping results in input order makes a parallel run merge its partial states in the
same order as a sequential one, and the first error met is the one a sequential run would meet.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

Item = TypeVar("Item")
Result = TypeVar("Result")


def default_threads() -> int:
    """The CPUs this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def map_ordered(
    work: Callable[[Item], Result],
    items: Iterable[Item],
    *,
    threads: int,
    ahead: int | None = None,
) -> Iterator[Result]:
    """``work(item)`` for every item, on ``threads`` threads, yielded in the items' order.

    At most ``ahead`` items (default twice the threads) are taken from ``items`` before their
    results are consumed, which bounds memory. With one thread, or a single item, everything
    runs on the caller's thread. Closing the iterator early cancels what has not started and
    waits for what has; a ``KeyboardInterrupt`` while waiting for a result cancels what has not
    started and returns at once.
    """
    iterator = iter(items)
    first = list(itertools.islice(iterator, 2 if threads > 1 else 0))
    if len(first) < 2:  # one thread, or a single item: no pool to start
        for item in itertools.chain(first, iterator):
            yield work(item)
        return
    from concurrent.futures import ThreadPoolExecutor  # only when there is parallel work

    limit = max(1, ahead if ahead is not None else 2 * threads)
    pending: deque[Future[Result]] = deque()
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="losscli")
    interrupted = False
    try:
        for item in itertools.chain(first, iterator):
            pending.append(pool.submit(work, item))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except KeyboardInterrupt:  # Ctrl-C (or SIGTERM, see losscli.cli.interrupts): stop now
        interrupted = True
        raise
    finally:
        for future in pending:
            future.cancel()
        # An interrupt does not wait for the items already running: the process is ending.
        pool.shutdown(wait=not interrupted, cancel_futures=True)
