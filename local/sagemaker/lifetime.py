"""Process lifetime for the local stand-ins: die with the parent, stop children on SIGTERM."""

import ctypes
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent():
    """Ask the kernel for SIGTERM when the parent process exits, even by SIGKILL (Linux only)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def sigterm_as_keyboard_interrupt():
    """Let SIGTERM run the same cleanup as Ctrl-C (a KeyboardInterrupt in the main thread)."""

    def handler(signum, frame):  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
