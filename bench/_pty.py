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


def idle_figures(db, lang: str, seconds: float, screen: str, key: bytes, cases) -> None:
    """bytes/s and CPU of ``screen`` (reached by ``key``) for each (label, during):
    ``during`` is bench_terminal.run_app's callback (another session's writes), or None."""
    for label, during in cases:
        result = bt.run_app(db, lang, 8.0, seconds, False, log=lambda *_: None,
                            during=during, keys=key)
        marks, cpu = result["marks"], result["cpu"]
        window = result["capture"].window(marks["measure"], marks["end"])
        wall = marks["end"] - marks["measure"]
        print(f"  {screen}, {label}: {sum(len(b) for _, b in window) / wall:,.0f} B/s, "
              f"{100 * (cpu['end'] - cpu['measure']) / wall:.2f} % CPU over {wall:.0f} s "
              f"(rss {result['rss']['end']:.0f} MB)")
