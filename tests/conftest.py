"""Fixtures shared by every test: a real mturk_local server and a boto3 client."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from mturk_local.process import ServerInfo, start_in_background, terminate_server

TEST_SEED = 2017


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
    """Start `python -m mturk_local serve` on a free port with seed 2017 and wait until it is healthy.

    The server shares pytest's process group, so a Ctrl-C in the terminal stops it as well.
    """
    info, process = start_in_background(state_dir, seed=TEST_SEED, extra_args=extra_args, start_new_session=False)
    return RunningServer(info.endpoint_url, state_dir, process)


def stop_server(server: RunningServer) -> None:
    """Stop `server` unless it has exited: SIGTERM, then SIGKILL after 10 s."""
    # The pid comes from the Popen object rather than server.json, so this also
    # stops a server whose server.json a test removed or overwrote.
    if server.process.poll() is None:
        if not terminate_server(ServerInfo(server.endpoint_url, server.process.pid, server.state_dir)):
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
