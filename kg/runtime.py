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


@contextmanager
def quick_handoffs(interval: float = 0.0002):
    """Threads waiting for the interpreter lock get it within ``interval`` seconds (0.2 ms, not 5 ms) while the
    ``with`` body runs: where this thread computes while a process pool's threads hand work to other processes, each
    of their steps (the work queued, pickled, written to the pipe) waited for the lock up to the default interval.
    Only threads that wait for the lock make the holder let it go, so a body run alone is not slowed."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, before))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


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


def early_extraction_worker(cache: str):
    """A re-build's extraction process, forked as soon as ``kg build`` knows it has a build cache (``cache``, a
    file that exists): before the command imports the pipeline and loads the gazetteer, which the process then
    does itself (the gazetteer read from the cache, not shared), beside the main process's. Forked there instead of
    after them, it has loaded rjieba's dictionary (~0.12 s of its ~0.25 s) ~0.05 s sooner, when the main process
    hands it the new article: a PD1998 re-build's worker had finished after the main process had read the kept
    entities, by up to 0.025 s. A pool of one process (``kg.runner.Workers`` takes it); None where there is no cache
    file yet (a first build starts its workers once it knows how many the files keep busy, after the gazetteer,
    which they then share)."""
    try:
        if os.stat(cache).st_size == 0:
            return None
    except OSError:
        return None
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=1, initializer=_start_extraction_worker, initargs=(os.getpid(), cache))
    pool.submit(int)  # (forked now: a forked pool starts its processes at its first task)
    return pool


def _start_extraction_worker(parent: int, cache: str) -> None:
    from .runner import _load_extractor  # (imported here, in the forked process)

    _load_extractor(parent, cache)
