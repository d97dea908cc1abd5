"""Start, find, health-check and stop a ``mturk_local`` server running in another process.

``helpers.connect()``, the command line (``status``, ``stop``, ``reset``), the
test fixtures and ``tools/series.py`` all use this module. A server is started
as ``python -m mturk_local serve --port 0``, and it records its endpoint and
pid in ``<state_dir>/server.json`` once its socket listens.

This module imports nothing from ``helpers``, so ``helpers`` can import it only
where it needs the local service.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ServerInfo",
    "find_running_server",
    "read_server_info",
    "server_is_healthy",
    "start_in_background",
    "stop_server",
    "terminate_server",
]

logger = logging.getLogger(__name__)

SERVER_INFO_FILE = "server.json"
SERVER_LOG_FILE = "server.log"
DEFAULT_START_TIMEOUT_SECONDS = 30.0
DEFAULT_STOP_TIMEOUT_SECONDS = 10.0
HEALTH_TIMEOUT_SECONDS = 2.0
POLL_INTERVAL_SECONDS = 0.05
LOG_TAIL_LINES = 20

# Servers that start_in_background started in this process and that have not
# been reaped yet, by pid. No other program can have reused such a pid, and
# the Popen object records the exit code as soon as the server is reaped.
_started_servers: dict[int, subprocess.Popen] = {}


@dataclass(frozen=True)
class ServerInfo:
    """The endpoint and pid that a running server wrote into ``<state_dir>/server.json``."""

    endpoint_url: str
    pid: int
    state_dir: Path


def read_server_info(state_dir: str | os.PathLike) -> ServerInfo | None:
    """Return the server recorded in ``state_dir``, or None when none is recorded.

    An unreadable ``server.json`` (invalid JSON, no ``endpoint_url`` or ``pid``)
    is logged as a warning and treated as missing.
    """
    path = Path(state_dir) / SERVER_INFO_FILE
    try:
        info = json.loads(path.read_text())
        return ServerInfo(str(info["endpoint_url"]), int(info["pid"]), Path(state_dir))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as error:
        logger.warning("ignoring unreadable %s: %r", path, error)
        return None


def server_is_healthy(endpoint_url: str) -> bool:
    """Return True when ``GET /_local/health`` replies with ``{"status": "ok"}`` within 2 s."""
    try:
        with urllib.request.urlopen(endpoint_url.rstrip("/") + "/_local/health",
                                    timeout=HEALTH_TIMEOUT_SECONDS) as response:
            reply = json.loads(response.read())
    except (OSError, ValueError):
        return False
    return isinstance(reply, dict) and reply.get("status") == "ok"


def find_running_server(state_dir: str | os.PathLike) -> ServerInfo | None:
    """Return the server recorded in ``state_dir`` if it is healthy, else None.

    A stale ``server.json``, whose endpoint does not respond, is logged and left in place.
    """
    info = read_server_info(state_dir)
    if info is None:
        return None
    if not server_is_healthy(info.endpoint_url):
        logger.info("ignoring stale %s: %s does not respond", Path(state_dir) / SERVER_INFO_FILE,
                    info.endpoint_url)
        return None
    return info


def start_in_background(
    state_dir: str | os.PathLike,
    *,
    seed: int | None = None,
    instant: bool = False,
    speed: float | None = None,
    port: int = 0,
    extra_args: tuple[str, ...] = (),
    timeout_seconds: float = DEFAULT_START_TIMEOUT_SECONDS,
    start_new_session: bool = True,
) -> tuple[ServerInfo, subprocess.Popen]:
    """Start ``python -m mturk_local serve`` for ``state_dir`` and wait until it is healthy.

    ``extra_args`` are appended to the command line as they are. With
    ``start_new_session`` (the default) the server runs in a session of its
    own, so neither a Ctrl-C in this terminal nor closing it stops the server.
    A stale or unreadable ``server.json`` is removed first. A healthy one is
    kept, and then ``serve`` exits because the folder's server is already running.

    The server's output is appended to ``<state_dir>/server.log``. Raises
    RuntimeError, naming that log and quoting its last lines, when the server
    exits or is not healthy within ``timeout_seconds``. In the second case the
    server is stopped first.
    """
    # NOTE: two processes that call this at the same moment can each start a
    # server for the same state folder. Nothing here locks the folder.
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    if find_running_server(state_dir) is None:
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
    logger.info("starting mturk_local: %s (log: %s)", " ".join(command), log_path)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, cwd=Path(__file__).resolve().parent.parent, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=start_new_session,
        )
    _started_servers[process.pid] = process
    # A daemon thread waits on the child so that, once it stops (for example
    # via `python -m mturk_local stop` from another process), it is reaped at
    # once instead of staying a zombie whose pid still looks alive. The thread
    # does not keep this process from exiting.
    threading.Thread(target=_reap, args=(process,), name=f"mturk_local-{process.pid}-reaper", daemon=True).start()

    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        exit_code = process.poll()
        if exit_code is not None:
            raise RuntimeError(
                f"mturk_local exited with code {exit_code} while starting; "
                f"see {log_path}:\n{_log_tail(log_path)}"
            )
        info = read_server_info(state_dir)
        # A server.json left by another server names another pid, so wait for ours.
        if info is not None and info.pid == process.pid and server_is_healthy(info.endpoint_url):
            logger.info("mturk_local started at %s (pid %d)", info.endpoint_url, process.pid)
            return info, process
        time.sleep(POLL_INTERVAL_SECONDS)

    process.terminate()
    try:
        process.wait(timeout=DEFAULT_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
    raise RuntimeError(
        f"mturk_local did not respond within {timeout_seconds:g} s, so it was "
        f"stopped; see {log_path}:\n{_log_tail(log_path)}"
    )


def stop_server(state_dir: str | os.PathLike, timeout_seconds: float = DEFAULT_STOP_TIMEOUT_SECONDS) -> bool:
    """Stop the server recorded in ``state_dir``: SIGTERM, then SIGKILL after ``timeout_seconds``.

    Returns True when a server was running there, False otherwise. A
    ``server.json`` whose endpoint does not respond is removed without a
    signal, because another program may have reused its pid. The exception is
    a server that this process started and has not reaped yet: its pid cannot
    have been reused, so it is signalled even when it does not respond.
    """
    info = read_server_info(state_dir)
    if info is None:
        return False
    if not _is_unreaped_child(info.pid) and not server_is_healthy(info.endpoint_url):
        logger.info("removing stale %s: %s does not respond", info.state_dir / SERVER_INFO_FILE, info.endpoint_url)
        (info.state_dir / SERVER_INFO_FILE).unlink(missing_ok=True)
        return False
    if terminate_server(info, timeout_seconds):
        return True

    logger.warning("mturk_local (pid %d) ignored SIGTERM for %g s; killing it", info.pid, timeout_seconds)
    try:
        _send_signal(info.pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    # A killed server cannot remove its own server.json.
    (info.state_dir / SERVER_INFO_FILE).unlink(missing_ok=True)
    return True


def terminate_server(info: ServerInfo, timeout_seconds: float = DEFAULT_STOP_TIMEOUT_SECONDS) -> bool:
    """Send SIGTERM to the server of ``info`` and wait up to ``timeout_seconds`` for it to exit.

    Returns True once it has exited, which includes a pid that no longer
    exists, and False when it still runs at the deadline. The caller checks
    first that ``info`` is not stale (see ``stop_server``).
    """
    try:
        _send_signal(info.pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if _server_exited(info):
            return True
        time.sleep(POLL_INTERVAL_SECONDS)
    return False


def _reap(process: subprocess.Popen) -> None:
    process.wait()
    if _started_servers.get(process.pid) is process:
        del _started_servers[process.pid]


def _is_unreaped_child(pid: int) -> bool:
    process = _started_servers.get(pid)
    return process is not None and process.returncode is None


def _send_signal(pid: int, signal_number: int) -> None:
    process = _started_servers.get(pid)
    if process is None:
        os.kill(pid, signal_number)
    else:
        # Popen.send_signal does nothing once the child has been reaped, when its pid may belong to another program.
        process.send_signal(signal_number)


def _server_exited(info: ServerInfo) -> bool:
    if _is_unreaped_child(info.pid):
        return False
    if not _process_alive(info.pid):
        return True
    # A server started by another process stays a zombie until that parent waits for it,
    # so a clean shutdown is recognised by the removed server.json as well.
    return not (info.state_dir / SERVER_INFO_FILE).exists() and not server_is_healthy(info.endpoint_url)


def _process_alive(pid: int) -> bool:
    # A child that this process started without start_in_background stays a
    # zombie until it is reaped, and os.kill(pid, 0) succeeds on a zombie, so
    # reap it first when it is our child.
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
    except PermissionError:
        # The pid exists but belongs to another user.
        return True
    return True


def _log_tail(log_path: Path) -> str:
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return "(log not readable)"
    return "\n".join(lines[-LOG_TAIL_LINES:])
