"""Process-wide settings for a build."""
from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from contextlib import contextmanager


@contextmanager
def paused_gc(resume: bool = True):
    """No cyclic garbage collection while a build runs. A build allocates millions of small objects
    that live to its end (tokens, mentions, statements) and almost no reference cycles, so each
    collection re-scans a growing heap for nothing: over PD1998 that was ~15 % of the build, with the
    same peak memory (measured in the README's Speed section). Reference counting still frees everything
    else at once. Processes forked meanwhile (extraction workers, the RDF writer) inherit the pause.
    ``resume=False``: the collector stays paused after, for a process that ends with the build (the
    ``kg`` command): re-enabled, its first collection scans every object the build made (~0.1 s over
    PD1998, 0.2 s for 3 million objects) just before the process exits."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled and resume:
            gc.enable()


_HELD: list = []  # what a process that ends without freeing its heap holds to its end (``hold_to_exit``)
_ENDS_WITHOUT_FREEING: list[bool] = []  # (``ends_without_freeing``: the kg command)


def ends_without_freeing() -> None:
    """This process ends with ``os._exit`` once its work is done (the ``kg`` command, ``cli.main``), not freeing its
    heap one object at a time: what a stage leaves behind may as well be held to the end (``hold_to_exit``)."""
    _ENDS_WITHOUT_FREEING.append(True)


def hold_to_exit(objects) -> None:
    """Hold ``objects`` (a stage's locals, say) until the process ends, where it ends without freeing its heap
    (``ends_without_freeing``); elsewhere (kg as a library, the tests) nothing is held. Freed where a stage returns,
    they are garbage freed one object at a time on the build's path: the pipeline's locals (the cached pages'
    rows, the files' status, the sources, the relations made into the graph's edges) took 6-10 ms of PD1998's
    re-build between resolving and the exports, and the re-build was 0.025 s quicker without (10 interleaved pairs,
    session 37), with no more page faults: the memory they free would be taken up again by no later stage there.
    (Not a first build's: its tally of every extraction, held through the exports, raised PD1998's peak from 297 to
    374 MB.)"""
    if _ENDS_WITHOUT_FREEING:
        _HELD.append(objects)


def die_with_parent(parent: int) -> None:
    """In a forked helper (an extraction worker, the RDF writer): be killed when ``parent``, the build,
    dies. Without it a build killed with SIGKILL (or by the OOM killer) left its workers blocked for
    ever on a result pipe nobody reads, holding their memory and the build's stdout. Linux only
    (prctl PR_SET_PDEATHSIG); elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        return
    if os.getppid() != parent:  # the build died before the signal was asked for
        os._exit(1)


_FORK_WAITS_FOR: list = []  # threads every fork of this process first waits for (``fork_waits_for``)
_HOOKED = False  # (the fork hook: registered once)


def fork_waits_for(thread: threading.Thread) -> None:
    """Make every later fork of this process wait for ``thread`` (started) to finish first: a process forked while
    another thread holds a lock inherits it held. The build's threads that may work while it forks: the imports
    run behind a re-build's reading (the import locks) and the threads stopping helper pools (their queues)."""
    global _HOOKED
    _FORK_WAITS_FOR.append(thread)
    if not _HOOKED and hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_wait_before_fork)
        _HOOKED = True


def forget_finished(thread: threading.Thread) -> None:
    """``thread``, joined, no longer waited for by forks."""
    if thread in _FORK_WAITS_FOR:
        _FORK_WAITS_FOR.remove(thread)


def _wait_before_fork() -> None:
    for thread in list(_FORK_WAITS_FOR):
        if thread is not threading.current_thread():  # (a fork from the thread itself does not wait for it)
            thread.join()
            forget_finished(thread)


def stop_without_waiting(pool) -> None:
    """Stop a process pool whose work is all handed back, without waiting for its processes to end: a thread
    stops it (each process ends by itself as it reads the pool's last message) while the build goes on
    (waiting for their exits, each freeing its memory, took 7-8 ms of a PD1998 re-build's path, once for the
    extraction worker and once for the RDF writer). The next fork waits for that thread (``fork_waits_for``), by
    when it is long over: a build forks next ~0.1 s later."""
    stopping = threading.Thread(target=pool.shutdown, kwargs={"wait": True, "cancel_futures": True},
                                name="kg-pool-stop", daemon=True)
    stopping.start()
    fork_waits_for(stopping)
