"""Forked processes of a build: how many, whether forking is safe, their log records, one value computed beside."""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Pipe
from typing import Any, NoReturn

from kbsync import forkrole


def workers(option: int) -> int:
    """Processes to render with: the option, or one per core this process may use (0)."""
    if option > 0:
        return option
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork(option: int) -> bool:
    # A thread holding a lock at fork() would leave it held in the child forever.
    return workers(option) > 1 and hasattr(os, "fork") and threading.active_count() == 1


class Collect(logging.Handler):
    """A forked process's log handler: keeps records for the parent to emit (its handlers, strict mode's count)."""

    def __init__(self, run: Any) -> None:
        super().__init__(logging.NOTSET)
        self.run = run  # anything with a `records` list

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        records = self.run.records
        if records and records[-1] is record:
            return True  # the same record, reaching a second logger's handlers
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        record.msg, record.args = record.getMessage(), None
        records.append(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:  # handle() does it all
        pass


def collect_logs(run: Any) -> None:
    """In a forked process: log records go to `run.records` (sent to the parent), not to inherited handlers."""
    collect = Collect(run)
    logging.getLogger().handlers = [collect]
    for lg in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(lg, logging.Logger) and lg.handlers:
            lg.handlers = [collect]


def emit(records: list[logging.LogRecord]) -> None:
    """A forked process's records, through this process's handlers."""
    for record in records:
        logging.getLogger(record.name).handle(record)


@dataclass
class Later:
    """A forked process computing one value while the pages render (the OS shares the cores out)."""

    conn: Any
    pid: int
    fallback: Callable[[], Any]  # computes the value here when the process fails
    records: list[logging.LogRecord] = field(default_factory=list)

    def __call__(self) -> Any:
        try:
            kind, data, records = self.conn.recv()
        except (EOFError, OSError):
            kind, data, records = "error", None, []
        self.conn.close()
        os.waitpid(self.pid, 0)
        emit(records)
        return data if kind == "done" else self.fallback()

    def cancel(self) -> None:
        """The build failed: stop the process (its value is not wanted)."""
        self.conn.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def beside(compute: Callable[[], Any], fallback: Callable[[], Any], role: str | None = None) -> Later:
    """`compute()` in a forked process named `role` (default: where `compute` is defined, e.g.
    `loadfork.load_forked`; kbsync/forkrole.py); calling the result waits for its value (`fallback()` if the
    process failed). The caller checks `can_fork` first."""
    parent_end, child_end = Pipe()
    pid = os.fork()
    if pid == 0:
        try:
            forkrole.name(role or _role_of(compute))
            parent_end.close()
            later = Later(child_end, 0, fallback)
            collect_logs(later)
            try:
                child_end.send(("done", compute(), later.records))
            except BaseException:  # noqa: BLE001 - the parent computes it again and reports the error there
                child_end.send(("error", None, []))
        finally:
            forkrole.leave(0)
    child_end.close()
    return Later(parent_end, pid, fallback)


def _role_of(fn: Callable[[], Any]) -> str:
    """`module.function` of where `fn` was written (a lambda or local function: the function around it)."""
    module = str(getattr(fn, "__module__", "") or "").rpartition(".")[2]
    where = str(getattr(fn, "__qualname__", "") or "").split(".<locals>")[0]
    return f"{module}.{where}" if module else where or "beside"


class Early:
    """A process forked now, while this one is still small, that runs one job sent later (`start`) or exits
    (`stop`): a forked child's RSS starts with every page it shares with its parent, so a child forked before the
    records load does not count them (and whatever else the parent holds by then) again."""

    def __init__(self, role: str) -> None:
        self.role = role
        self.conn, child_end = Pipe()
        sys.stdout.flush()  # (unwritten output would be written twice)
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:
            self.conn.close()
            _wait_for_job(child_end, role)  # never returns
        child_end.close()

    def start(self, fn: Callable[..., Any], args: tuple[Any, ...], fallback: Callable[[], Any]) -> Later:
        """`fn(*args)` in the waiting process (`fn` a module's function: sent by name, so it is what that module
        held when the process forked); calling the result waits for its value (`fallback()` if it failed)."""
        try:
            self.conn.send((fn, args))
        except Exception:  # noqa: BLE001 - gone, or `fn` not sent by name: forked from here after all
            self.stop()
            return beside(lambda: fn(*args), fallback, self.role)
        return Later(self.conn, self.pid, fallback)

    def stop(self) -> None:
        """Not needed after all: the process exits."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.conn.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _wait_for_job(conn: Any, role: str) -> NoReturn:
    """In an early process: wait for its job (or for its parent to end), run it, send the value back, exit."""
    try:
        forkrole.name(role)
        parent = os.getppid()
        while not conn.poll(1.0):
            if os.getppid() != parent:  # the build process died before it sent a job
                forkrole.leave(0)
        job = conn.recv()
        if job is not None:
            fn, args = job
            later = Later(conn, 0, lambda: None)
            collect_logs(later)
            try:
                conn.send(("done", fn(*args), later.records))
            except BaseException:  # noqa: BLE001 - the parent computes it again and reports the error there
                conn.send(("error", None, []))
    finally:
        forkrole.leave(0)
