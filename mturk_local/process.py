"""Start, find and stop a ``mturk_local`` server running in another process.

``helpers.connect()``, the test fixtures and ``tools/series.py`` all start the
service the same way: ``python -m mturk_local serve --port 0`` in a new
session, then wait until it has written ``server.json`` into its state folder.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ServerInfo", "read_server_info", "server_is_healthy", "start_in_background", "stop_server"]

logger = logging.getLogger(__name__)

SERVER_INFO_FILE = "server.json"
SERVER_LOG_FILE = "server.log"
DEFAULT_START_TIMEOUT_SECONDS = 30.0
DEFAULT_STOP_TIMEOUT_SECONDS = 10.0
HEALTH_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class ServerInfo:
    """What a running server wrote into ``<state_dir>/server.json``."""

    endpoint_url: str
    pid: int
    state_dir: Path


def read_server_info(state_dir: str | os.PathLike) -> ServerInfo | None:
    """Return the recorded server of ``state_dir``, or None when none is recorded."""
    path = Path(state_dir) / SERVER_INFO_FILE
    try:
        info = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return ServerInfo(info["endpoint_url"], int(info["pid"]), Path(state_dir))


def server_is_healthy(endpoint_url: str) -> bool:
    """Return True when ``GET /_local/health`` answers with status ok."""
    try:
        with urllib.request.urlopen(endpoint_url + "/_local/health", timeout=HEALTH_TIMEOUT_SECONDS) as response:
            return json.loads(response.read()).get("status") == "ok"
    except (OSError, ValueError):
        return False


def start_in_background(
    state_dir: str | os.PathLike,
    *,
    seed: int | None = None,
    instant: bool = False,
    speed: float | None = None,
    port: int = 0,
    extra_args: tuple[str, ...] = (),
    timeout_seconds: float = DEFAULT_START_TIMEOUT_SECONDS,
) -> tuple[ServerInfo, subprocess.Popen]:
    """Start ``python -m mturk_local serve`` detached from this process and wait for it.

    The server's output goes to ``<state_dir>/server.log``. Raises RuntimeError,
    naming that log, when the server exits or stays silent for ``timeout_seconds``.
    """
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / SERVER_INFO_FILE).unlink(missing_ok=True)
    command = [sys.executable, "-m", "mturk_local", "serve", "--port", str(port), "--state-dir", str(state_dir)]
    if seed is not None:
        command += ["--seed", str(seed)]
    if speed is not None:
        command += ["--speed", str(speed)]
    if instant:
        command.append("--instant")
    command += list(extra_args)

    log_path = state_dir / SERVER_LOG_FILE
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, cwd=Path(__file__).resolve().parent.parent, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    logger.info("started mturk_local (pid %d) with state in %s", process.pid, state_dir)

    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"mturk_local exited with code {process.returncode} before it was ready; see {log_path}")
        info = read_server_info(state_dir)
        if info is not None and info.pid == process.pid:
            return info, process
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"mturk_local did not become ready within {timeout_seconds:g} s; see {log_path}")


def stop_server(state_dir: str | os.PathLike, timeout_seconds: float = DEFAULT_STOP_TIMEOUT_SECONDS) -> bool:
    """Send SIGTERM to the server recorded in ``state_dir`` and wait for it to exit.

    Returns False when no live server was recorded there.
    """
    info = read_server_info(state_dir)
    if info is None:
        return False
    try:
        os.kill(info.pid, signal.SIGTERM)
    except ProcessLookupError:
        (Path(state_dir) / SERVER_INFO_FILE).unlink(missing_ok=True)
        return False
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if not _process_alive(info.pid):
            return True
        time.sleep(0.05)
    logger.warning("mturk_local (pid %d) ignored SIGTERM for %g s; killing it", info.pid, timeout_seconds)
    os.kill(info.pid, signal.SIGKILL)
    return True


def _process_alive(pid: int) -> bool:
    # A server started by this process stays a zombie until it is reaped, and
    # os.kill(pid, 0) succeeds on a zombie, so reap it first when it is our child.
    try:
        reaped_pid, _ = os.waitpid(pid, os.WNOHANG)
        if reaped_pid == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
