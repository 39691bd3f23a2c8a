"""Process-wide settings for a build."""
from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from contextlib import contextmanager

from .errors import KgError


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


def can_fork() -> bool:
    """Whether helpers are forked here (``ForkedHelper``, the RDF writer beside the pages): on Linux, where fork is
    the safe, cheap way; elsewhere a process pool extracts, and the RDF is written in turn."""
    return sys.platform.startswith("linux")


class HelperDied(KgError):
    """A ``ForkedHelper``'s process ended before it handed back a result (killed, or out of memory): one line from
    the ``kg`` command, not a traceback."""


class ForkedHelper:
    """One forked process that runs the calls handed to it, one at a time, and hands back each result or raises its
    exception again: what a re-build's extraction worker and the RDF writer need of a process pool (a forked
    ``concurrent.futures.ProcessPoolExecutor`` of one process), without importing multiprocessing and
    concurrent.futures (with logging, subprocess and socket: ~15-20 ms of every build's start, on a re-build's path)
    or starting their queues' threads. It forks at once and runs ``initializer(*initargs)`` there (an exception it
    raises is raised by every call's ``result``); calls and results go through two pipes, pickled. A call is handed
    over only once the last one's result is taken (else a result larger than a pipe holds, waiting to be read,
    and a call larger than one, waiting to be written, would wait on each other). Linux and other systems that
    fork; the process is reaped by ``shutdown``, which a thread runs (``stop_without_waiting``)."""

    def __init__(self, initializer=None, initargs: tuple = ()):
        calls_in, calls_out = os.pipe()
        results_in, results_out = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # (no process to be had: the pipes closed, the error goes on)
            for fd in (calls_in, calls_out, results_in, results_out):
                os.close(fd)
            raise
        if pid == 0:  # (the helper: it never returns from here)
            code = 1
            try:
                os.close(calls_out)
                os.close(results_in)
                _serve(calls_in, results_out, initializer, initargs)
                code = 0
            finally:
                for stream in (sys.stdout, sys.stderr):
                    try:
                        stream.flush()
                    except Exception:
                        pass
                os._exit(code)
        os.close(calls_in)
        os.close(results_out)
        self.pid, self._calls, self._results = pid, calls_out, results_in
        self._waiting = False  # (a call handed over whose result is not taken)

    def submit(self, fn, *args, **kwargs) -> "_HelperResult":
        import pickle

        if self._calls < 0:
            raise RuntimeError("the helper is shut down")
        if self._waiting:
            raise RuntimeError("one call at a time: take the last one's result first")
        _write_frame(self._calls, pickle.dumps((fn, args, kwargs), pickle.HIGHEST_PROTOCOL))
        self._waiting = True
        return _HelperResult(self)

    def _result(self) -> tuple[bool, object]:
        """(True, the value) or (False, the exception raised, with the helper's traceback as its cause)."""
        import pickle

        data = _read_frame(self._results)
        self._waiting = False
        if data is None:
            raise HelperDied(f"a helper process of the build (pid {self.pid}) ended before it handed back its result "
                             "(killed, or out of memory?)")
        try:
            done, value, trace = pickle.loads(data)
        except Exception as exc:  # (an exception whose class does not unpickle as pickled)
            raise HelperDied(f"a helper process's result does not read back ({exc!r})") from None
        if not done and trace:
            value.__cause__ = HelperTraceback(trace)
        return done, value

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """End the process (it ends as it reads the end of its calls' pipe) and, with ``wait``, reap it."""
        for fd in (self._calls, self._results):
            if fd >= 0:
                os.close(fd)
        self._calls = self._results = -1
        if wait and self.pid:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = 0


class HelperTraceback(Exception):
    """Where an exception raised in a ``ForkedHelper``'s process was raised: its traceback, as text."""

    def __str__(self) -> str:
        return "\n\n" + self.args[0]


class _HelperResult:
    """A call handed to a ``ForkedHelper``: ``result()`` waits for it, and gives its value or raises its exception."""

    def __init__(self, helper: ForkedHelper):
        self._helper = helper
        self._got: tuple[bool, object] | None = None

    def result(self):
        if self._got is None:
            self._got = self._helper._result()
        done, value = self._got
        if done:
            return value
        raise value


def _serve(calls: int, results: int, initializer, initargs: tuple) -> None:
    """The helper's loop: each call read, run, and its result (or exception) written back, until the calls end."""
    import pickle

    failed: BaseException | None = None
    if initializer is not None:
        try:
            initializer(*initargs)
        except BaseException as exc:  # (raised by every call, as a pool whose initializer failed)
            failed = exc
    while True:
        data = _read_frame(calls)
        if data is None:
            return
        try:
            if failed is not None:
                raise RuntimeError(f"the helper's initializer failed: {failed!r}") from failed
            fn, args, kwargs = pickle.loads(data)
            out = (True, fn(*args, **kwargs), "")
        except BaseException as exc:
            import traceback

            out = (False, exc, "".join(traceback.format_exception(exc)))
        try:
            payload = pickle.dumps(out, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # (a result or exception that does not pickle)
            payload = pickle.dumps((False, RuntimeError(f"the helper's result does not pickle: {exc!r}"), out[2]))
        _write_frame(results, payload)


def _write_frame(fd: int, data: bytes) -> None:
    """``data`` after its length (8 bytes), whole."""
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view):]


def _read_frame(fd: int) -> bytes | None:
    """What ``_write_frame`` wrote; None at the end of the pipe (its writer gone)."""
    head = _read_exactly(fd, 8)
    return None if head is None else _read_exactly(fd, int.from_bytes(head, "little"))


def _read_exactly(fd: int, n: int) -> bytes | None:
    parts, left = [], n
    while left:
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


class Claim:
    """What two processes forked from one (the pages' and the RDF writer) race to take, taken by the first to ask:
    one byte in a pipe, read without waiting (a multiprocessing lock would import multiprocessing)."""

    def __init__(self):
        self._in, self._out = os.pipe()
        os.write(self._out, b"1")
        os.set_blocking(self._in, False)

    def acquire(self, block: bool = False) -> bool:
        try:
            return os.read(self._in, 1) == b"1"
        except (BlockingIOError, OSError):
            return False

    def close(self) -> None:
        for fd in (self._in, self._out):
            if fd >= 0:
                os.close(fd)
        self._in = self._out = -1
