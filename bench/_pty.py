"""The real `deskapp` on an 80×24 pseudo-terminal, driven by keys: how long a key takes
to reach the terminal as a frame (what a clerk waits for, rendering and all; Pilot's
own pauses would measure Pilot)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import termios
import time

import _fixtures as fx
import bench_terminal as bt


class Session:
    def __init__(self, db, lang: str = "zh") -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DESKAPP_", "TEXTUAL"))}
        env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8",
                   DESKAPP_USER=fx.ACTOR)
        argv = [str(bt.DESKAPP), "--db", str(db), "--lang", lang, "--no-bell"]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.frame(time.monotonic(), quiet=1.5, limit=30)  # the queue is up and settled

    def frame(self, after: float, quiet: float = 0.04, limit: float = 5.0,
              until: bytes = b"") -> float:
        """Seconds from ``after`` to the last byte of the burst that answers it (one
        holding ``until``, when given: the screen itself, not an earlier partial frame)."""
        last = None
        seen = b""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], quiet if last else limit)
            if not ready:
                if last is not None and until in seen:
                    return last - after
                continue
            seen += os.read(self.fd, 65536)
            last = time.monotonic()
        return float("nan")

    def key(self, data: str, until: bytes = b"", quiet: float = 0.04) -> float:
        sent = time.monotonic()
        os.write(self.fd, data.encode())
        return self.frame(sent, quiet=quiet, until=until)

    def close(self) -> None:
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
