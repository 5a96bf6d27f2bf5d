"""Which forked process is which: a forked child names itself after its role (`ps`, `top` and the memory bench
show it) and, when `KB_FORK_LOG` names a file, appends its role and peak RSS there as it exits, so a build's
largest child can be told apart from the others (bench/site_memory.py prints them)."""
from __future__ import annotations

import gc
import os
import resource
from collections.abc import Callable
from typing import NamedTuple, NoReturn

ENV = "KB_FORK_LOG"
_role: list[str] = []  # this process's role, once it has named itself


class Exited(NamedTuple):
    """One line of the log: a child that named itself, and its peak RSS when it exited."""

    role: str
    pid: int
    ppid: int
    peak_mb: float


def name(role: str) -> None:
    """In a forked child: take `role` as this process's name (Linux keeps 15 bytes of it) and its log line's."""
    _role[:] = [role]
    try:
        with open("/proc/self/comm", "w") as fh:  # (no such file off Linux: the name is only a convenience)
            fh.write(("kb " + role)[:15])
    except OSError:
        pass


def record() -> None:
    """Append this process's role and peak RSS to `$KB_FORK_LOG` (nothing when unset or when it has no role)."""
    path = os.environ.get(ENV)
    if not path or not _role:
        return
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux: the child's own peak, shared pages in
    line = f"{_role[0]}\t{os.getpid()}\t{os.getppid()}\t{peak}\n".encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)  # one short append: lines of processes exiting together never interleave
        finally:
            os.close(fd)
    except OSError:
        pass  # a measurement: never a reason for the child to fail


def leave(code: int) -> NoReturn:
    """`os._exit(code)` (a forked child's exit: no parent's atexit handlers), its line recorded first."""
    record()
    os._exit(code)


def pool_worker(role: str) -> Callable[[], None]:
    """An initializer for a forked pool's workers: `gc.freeze()` (as before: the collector skips the heap they
    inherited) and the role, its line recorded as the worker exits (multiprocessing runs its finalizers then)."""
    return _PoolInit(role)


class _PoolInit:
    """(A class, not a closure: a pool's initializer may be pickled.)"""

    def __init__(self, role: str) -> None:
        self.role = role

    def __call__(self) -> None:
        from multiprocessing import util

        gc.freeze()
        name(self.role)
        util.Finalize(None, record, exitpriority=0)


def read(path: str | os.PathLike[str]) -> list[Exited]:
    """The lines of a log file, largest peak first (a torn or foreign line is skipped)."""
    out = []
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit() and parts[3].isdigit():
                    out.append(Exited(parts[0], int(parts[1]), int(parts[2]), int(parts[3]) / 1024))
    except OSError:
        return []
    return sorted(out, key=lambda e: -e.peak_mb)
