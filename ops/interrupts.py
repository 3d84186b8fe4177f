"""Ctrl-C and SIGTERM: stop at a safe point, never in the middle of `pulumi up`.

While a command runs (`command_boundary` installs the handlers), the first SIGINT or SIGTERM
raises `Interrupted` in the main thread, so a release can close its log entry and put the image
record back before it exits. A signal that arrives while a child process runs (`pulumi up`, in
its own process group so the terminal's Ctrl-C does not reach it directly) is forwarded to that
child as SIGINT, Pulumi's graceful cancel, and the command waits for the child to finish
cancelling: `Interrupted` is raised only once it has exited (`raise_if_interrupted`). A second
signal during a cancel is forwarded too (Pulumi then stops at once, which can leave its state
locked); any signal after the first outside a child is noted and ignored, so the cleanup runs
to its end.

`Interrupted` is a BaseException, like KeyboardInterrupt: the `except Exception` of a retry
loop or a library must not swallow it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from types import FrameType

from ops import ui

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The user (Ctrl-C) or the system (SIGTERM) asked golive to stop."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


class _State:
    def __init__(self) -> None:
        self.received: int | None = None
        self.child: subprocess.Popen[bytes] | None = None
        self.forwarded = 0


_state = _State()


def _handle(signum: int, frame: FrameType | None) -> None:
    child = _state.child
    if child is not None and child.poll() is None:
        _state.received = _state.received or signum
        _state.forwarded += 1
        if _state.forwarded == 1:
            ui.warn(
                f"{signal.Signals(signum).name}: asking pulumi to cancel and waiting for it to "
                "finish (a second Ctrl-C stops it at once and can leave the stack locked)"
            )
        else:
            ui.warn("stopping pulumi at once")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGINT)
        return
    if _state.received is not None:
        ui.warn(f"{signal.Signals(signum).name}: already stopping, finishing the cleanup first")
        return
    _state.received = signum
    raise Interrupted(signum)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Install the handlers for one command (a no-op outside the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in HANDLED}
    _state.__init__()
    for signum in HANDLED:
        signal.signal(signum, _handle)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _state.__init__()


@contextlib.contextmanager
def forwarding_to(child: subprocess.Popen[bytes]) -> Iterator[None]:
    """Forward signals to `child` (leader of its own process group) while the block runs."""
    _state.child = child
    try:
        yield
    finally:
        _state.child = None


def raise_if_interrupted() -> None:
    """After a child exits: raise `Interrupted` if a signal arrived while it ran."""
    if _state.received is not None:
        raise Interrupted(_state.received)
