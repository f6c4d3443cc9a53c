"""Losing the terminal: the dashboard is gone within 5 s, whatever it was doing."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import textwrap
import time

import pytest

from .conftest import PG_URL

LIMIT = 5.0


def test_a_hung_clean_exit_is_cut_short_after_the_grace():
    """The clean exit stuck (as in Textual's writer-thread stop): the watchdog ends the
    process anyway, and a SIGTERM to the orphan is not ignored."""
    script = textwrap.dedent("""
        import signal, sys, threading, time
        from deskapp import cli

        cli.HANGUP_GRACE_SECONDS = 0.5

        class StuckApp:
            def exit(self, return_code=0):
                pass  # the clean exit never finishes

        cli._exit_on_hangup(StuckApp())
        print("ready", flush=True)
        stuck = threading.Thread(target=time.sleep, args=(60,))
        stuck.start()
        stuck.join()  # the main thread, stuck
    """)
    for sig in ("SIGHUP", "SIGTERM"):
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        started = time.monotonic()
        child.send_signal(getattr(__import__("signal"), sig))
        child.wait(timeout=LIMIT + 5)
        assert time.monotonic() - started < LIMIT
        assert "Traceback" not in child.stderr.read()


@pytest.mark.slow
@pytest.mark.skipif(bool(PG_URL), reason="one SQLite file is enough to open the desk")
@pytest.mark.parametrize("searching", [False, True])
def test_the_dashboard_leaves_within_5_s_when_its_terminal_goes(tmp_path, searching):
    """A real pty: the desk starts, the palette may be searching, the master side
    closes (the SSH link drops: SIGHUP), and the process is gone within 5 s."""
    db = tmp_path / "desk.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKAPP_")}
    env.update(DESKAPP_USER="wangfang", LANG="C.UTF-8", TERM="xterm-256color")
    subprocess.run([sys.executable, "-m", "deskapp.cli", "--db", str(db), "init", "--demo"],
                   check=True, env=env, capture_output=True)
    pid, master = pty.fork()
    if pid == 0:  # the child: the dashboard on the pty
        os.execve(sys.executable, [sys.executable, "-m", "deskapp.cli", "--db", str(db)], env)
    try:
        seen = b""
        deadline = time.monotonic() + 20
        while b"Acme" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
        assert b"Acme" in seen, seen[-500:]
        if searching:
            os.write(master, b"\x10")  # ctrl+p
            time.sleep(0.3)
            os.write(master, b"Acme")
            time.sleep(0.05)
        os.close(master)  # the link drops
        master = -1
        started = time.monotonic()
        while time.monotonic() - started < LIMIT + 3:
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        took = time.monotonic() - started
        print(f"left {took:.2f} s after its terminal closed")
        assert done, "the dashboard outlived its terminal"
        assert took < LIMIT, took
    finally:
        if master != -1:
            os.close(master)
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
