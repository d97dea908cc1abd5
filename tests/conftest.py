"""Fixtures shared by every test: a real mturk_local server and a boto3 client."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER_START_TIMEOUT_SECONDS = 30


@dataclass
class RunningServer:
    endpoint_url: str
    state_dir: Path
    process: subprocess.Popen

    def reset(self) -> None:
        request = urllib.request.Request(self.endpoint_url + "/_local/reset", data=b"{}", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def admin(self, path: str, body: dict | None = None) -> dict:
        """Call an admin route under /_local/ and return its JSON reply."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.endpoint_url + "/_local/" + path, data=data,
                                         method="GET" if body is None else "POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")


def start_server(state_dir: Path, *extra_args: str) -> RunningServer:
    """Start `python -m mturk_local serve` on a free port and wait until it answers."""
    state_dir.mkdir(parents=True, exist_ok=True)
    log = open(state_dir / "server.log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "mturk_local", "serve", "--port", "0", "--state-dir", str(state_dir),
         "--seed", "2017", *extra_args],
        cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    info_path = state_dir / "server.json"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mturk_local exited with code {process.returncode}; see {state_dir / 'server.log'}")
        if info_path.exists():
            info = json.loads(info_path.read_text())
            return RunningServer(info["endpoint_url"], state_dir, process)
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"mturk_local did not write {info_path} within {SERVER_START_TIMEOUT_SECONDS} s")


def stop_server(server: RunningServer) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()


@pytest.fixture(scope="session")
def mturk_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("mturk_local"), "--instant")
    yield server
    stop_server(server)


def make_client(endpoint_url: str):
    return boto3.client("mturk", endpoint_url=endpoint_url, region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local")


@pytest.fixture
def mturk_client(mturk_server):
    mturk_server.reset()
    return make_client(mturk_server.endpoint_url)
