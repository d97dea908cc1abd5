"""Tests for mturk_local.process against real `python -m mturk_local serve` processes on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from mturk_local.process import (
    ServerInfo,
    find_running_server,
    read_server_info,
    server_is_healthy,
    start_in_background,
    stop_server,
    terminate_server,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30.0

# Starts a server and never waits for it, so the server stays a zombie of
# this script after it exits, as one started by another program would.
UNREAPING_PARENT = textwrap.dedent('''
    import subprocess, sys, time
    server = subprocess.Popen([sys.executable, "-m", "mturk_local", "serve", "--port", "0",
                               "--state-dir", sys.argv[1], "--instant"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(server.pid, flush=True)
    time.sleep(300)
''')


@pytest.fixture
def start():
    """Return a start_in_background that kills whatever it started when the test ends."""
    processes: list[subprocess.Popen] = []

    def start_and_track(state_dir: Path, **options) -> tuple[ServerInfo, subprocess.Popen]:
        options.setdefault("seed", 2017)
        options.setdefault("instant", True)
        info, process = start_in_background(state_dir, **options)
        processes.append(process)
        return info, process

    yield start_and_track
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def closed_port_url() -> str:
    """Return an http://127.0.0.1 URL whose port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def write_server_json(state_dir: Path, content: dict | str) -> Path:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "server.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def process_state(pid: int) -> str | None:
    """Return the state letter of `pid` from /proc (Z for a zombie), or None when it does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


# --- start, read, health -----------------------------------------------------

def test_start_records_info_and_is_healthy(tmp_path, start):
    state_dir = tmp_path / "state"

    info, process = start(state_dir)

    assert info.pid == process.pid
    assert info.state_dir == state_dir
    assert info.endpoint_url.startswith("http://127.0.0.1:")
    assert server_is_healthy(info.endpoint_url)
    assert server_is_healthy(info.endpoint_url + "/")
    assert read_server_info(state_dir) == info
    assert find_running_server(state_dir) == info
    assert (state_dir / "server.log").stat().st_size > 0
    stop_server(state_dir)


def test_start_passes_options_to_serve(tmp_path, start):
    state_dir = tmp_path / "state"

    start(state_dir, seed=7, speed=60.0, instant=False)

    recorded = json.loads((state_dir / "server.json").read_text())
    assert recorded["seed"] == 7
    assert recorded["speed"] == 60.0
    assert recorded["instant"] is False
    stop_server(state_dir)


def test_read_server_info_without_file(tmp_path):
    assert read_server_info(tmp_path) is None
    assert read_server_info(tmp_path / "missing") is None


@pytest.mark.parametrize("content", [
    "{not json",
    "[]",
    '{"pid": 12}',
    '{"endpoint_url": "http://127.0.0.1:9"}',
    '{"endpoint_url": "http://127.0.0.1:9", "pid": "twelve"}',
])
def test_read_server_info_unreadable_file(tmp_path, caplog, content):
    path = write_server_json(tmp_path, content)

    with caplog.at_level(logging.WARNING, logger="mturk_local.process"):
        assert read_server_info(tmp_path) is None

    assert str(path) in caplog.text


def test_health_of_closed_port():
    assert server_is_healthy(closed_port_url()) is False


@pytest.mark.parametrize("body", [b'{"status": "starting"}', b"[]", b"not json"])
def test_health_of_other_http_server(body):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert server_is_healthy(f"http://127.0.0.1:{server.server_address[1]}") is False
    finally:
        server.shutdown()
        server.server_close()


# --- stale and existing server.json ----------------------------------------------

def test_find_running_server_ignores_stale_file(tmp_path):
    path = write_server_json(tmp_path, {"endpoint_url": closed_port_url(), "pid": 999999})

    assert find_running_server(tmp_path) is None
    assert path.exists()


def test_start_replaces_stale_server_file(tmp_path, start):
    stale = {"endpoint_url": closed_port_url(), "pid": 999999}
    write_server_json(tmp_path, stale)

    info, process = start(tmp_path)

    assert info.pid == process.pid
    assert info.endpoint_url != stale["endpoint_url"]
    assert json.loads((tmp_path / "server.json").read_text())["pid"] == process.pid
    stop_server(tmp_path)


def test_start_keeps_running_server(tmp_path, start):
    first, _ = start(tmp_path)

    with pytest.raises(RuntimeError) as caught:
        start(tmp_path)

    message = str(caught.value)
    assert str(tmp_path / "server.log") in message
    assert "already running" in message
    assert read_server_info(tmp_path) == first
    assert server_is_healthy(first.endpoint_url)
    stop_server(tmp_path)


def test_start_failure_quotes_log_tail(tmp_path, start):
    with pytest.raises(RuntimeError) as caught:
        start(tmp_path, extra_args=("--speed", "not-a-number"))

    message = str(caught.value)
    assert "exited with code 2" in message
    assert str(tmp_path / "server.log") in message
    assert "--speed" in message
    assert read_server_info(tmp_path) is None


# --- stop ---------------------------------------------------------------------

def test_stop_reaps_own_server(tmp_path, start):
    info, process = start(tmp_path)

    assert stop_server(tmp_path) is True

    assert process.returncode == 0
    with pytest.raises(ChildProcessError):
        os.waitpid(info.pid, os.WNOHANG)
    assert not (tmp_path / "server.json").exists()
    assert server_is_healthy(info.endpoint_url) is False


def test_stop_without_server_file(tmp_path):
    assert stop_server(tmp_path) is False


def test_stop_stale_file_sends_no_signal(tmp_path):
    # The stale server.json names a live pid, as when another program has reused it.
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        path = write_server_json(tmp_path, {"endpoint_url": closed_port_url(), "pid": bystander.pid})

        assert stop_server(tmp_path) is False

        assert not path.exists()
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait(timeout=10)


def test_stop_kills_unresponsive_own_server(tmp_path, start):
    info, process = start(tmp_path)
    os.kill(info.pid, signal.SIGSTOP)

    assert stop_server(tmp_path, timeout_seconds=0.5) is True

    assert process.wait(timeout=10) == -signal.SIGKILL
    assert not (tmp_path / "server.json").exists()


def test_stop_from_other_process_is_reaped(tmp_path, start):
    info, process = start(tmp_path)

    stopped = subprocess.run([sys.executable, "-m", "mturk_local", "stop", "--state-dir", str(tmp_path)],
                             cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)

    assert stopped.returncode == 0, stopped.stderr
    # Only the reaper thread of start_in_background waits on the process here.
    deadline = time.monotonic() + WAIT_SECONDS
    while process.returncode is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.returncode == 0
    assert process_state(info.pid) != "Z"


def test_stop_server_that_stays_zombie(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", UNREAPING_PARENT, str(tmp_path)], cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        server_pid = int(parent.stdout.readline())
        deadline = time.monotonic() + WAIT_SECONDS
        while find_running_server(tmp_path) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert read_server_info(tmp_path).pid == server_pid

        started = time.monotonic()
        assert stop_server(tmp_path, timeout_seconds=10) is True
        elapsed = time.monotonic() - started

        assert elapsed < 5
        assert not (tmp_path / "server.json").exists()
        deadline = time.monotonic() + WAIT_SECONDS
        while process_state(server_pid) != "Z" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process_state(server_pid) == "Z"
    finally:
        if find_running_server(tmp_path) is not None:
            stop_server(tmp_path)
        parent.kill()
        parent.wait(timeout=10)
        parent.stdout.close()


def test_terminate_server_returns_false_at_deadline(tmp_path, start):
    info, process = start(tmp_path)
    os.kill(info.pid, signal.SIGSTOP)
    try:
        assert terminate_server(info, timeout_seconds=0.3) is False
        assert process.poll() is None
    finally:
        process.kill()
        process.wait(timeout=10)
