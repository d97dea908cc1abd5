"""Tests for helpers.connection: target selection, the production budget rule,
and starting or attaching to a real mturk_local process.

Sandbox and production are only constructed here, never called: creating a
boto3 client makes no network request.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from helpers.connection import (
    PRODUCTION_ENDPOINT_URL,
    SANDBOX_ENDPOINT_URL,
    Connection,
    connect,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DUMMY_KEY_ID = "AKIDTESTKEYNOTREAL01"
DUMMY_SECRET = "secret-that-must-not-appear-in-banners"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Remove settings that would change the target, and give boto3 dummy credentials."""
    for name in ("MTURK_TARGET", "MTURK_IMAGE_BASE_URL", "MTURK_LOCAL_STATE_DIR", "MTURK_LOCAL_SEED",
                 "MTURK_LOCAL_SPEED", "MTURK_LOCAL_INSTANT", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_MTURK",
                 "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET)


def stop_local_server(state_dir: Path) -> None:
    subprocess.run([sys.executable, "-m", "mturk_local", "stop", "--state-dir", str(state_dir)],
                   cwd=REPO_ROOT, check=False, timeout=30, capture_output=True)


# --- target selection, without network -------------------------------------

def test_sandbox_target_endpoints():
    connection = connect("sandbox")

    assert connection.target == "sandbox"
    assert connection.endpoint_url == SANDBOX_ENDPOINT_URL
    assert connection.client.meta.endpoint_url == SANDBOX_ENDPOINT_URL
    assert connection.worker_url == "https://workersandbox.mturk.com"
    assert connection.image_base_url is None
    assert connection.budget is None


def test_target_from_environment(monkeypatch):
    monkeypatch.setenv("MTURK_TARGET", "sandbox")

    assert connect().target == "sandbox"


def test_argument_overrides_environment_target(monkeypatch):
    monkeypatch.setenv("MTURK_TARGET", "production")

    assert connect("sandbox").target == "sandbox"


def test_unknown_target_names_value_and_choices():
    with pytest.raises(ValueError) as caught:
        connect("staging")

    message = str(caught.value)
    assert "'staging'" in message
    for choice in ("local", "sandbox", "production"):
        assert choice in message


def test_unknown_target_from_environment(monkeypatch):
    monkeypatch.setenv("MTURK_TARGET", "prod")

    with pytest.raises(ValueError, match="'prod'"):
        connect()


def test_production_without_budget_is_refused():
    with pytest.raises(ValueError) as caught:
        connect("production")

    message = str(caught.value)
    assert "budget" in message
    assert "real money" in message


def test_production_with_budget():
    connection = connect("production", budget="25.00")

    assert connection.target == "production"
    assert connection.endpoint_url == PRODUCTION_ENDPOINT_URL
    assert connection.worker_url == "https://worker.mturk.com"
    assert connection.budget == Decimal("25.00")


@pytest.mark.parametrize("budget", ["", "abc", "-5", "0", "NaN", "Infinity", "$10", "0.001"])
def test_invalid_budget_rejected(budget):
    with pytest.raises(ValueError, match="budget"):
        connect("production", budget=budget)


def test_float_budget_rejected():
    with pytest.raises(TypeError, match="budget"):
        connect("production", budget=12.5)


def test_explicit_endpoint_overrides_target_default():
    connection = connect("sandbox", endpoint_url="http://127.0.0.1:9")

    assert connection.endpoint_url == "http://127.0.0.1:9"
    assert connection.client.meta.endpoint_url == "http://127.0.0.1:9"
    assert connection.worker_url == "https://workersandbox.mturk.com"


def test_image_base_url_from_environment(monkeypatch):
    monkeypatch.setenv("MTURK_IMAGE_BASE_URL", "https://example.org/images/")

    assert connect("sandbox").image_base_url == "https://example.org/images/"


def test_client_retries_throttling_more_often():
    retries = connect("sandbox").client.meta.config.retries

    assert retries["mode"] == "standard"
    assert retries["total_max_attempts"] == 10


def test_banner_names_target_without_credentials():
    banner = str(connect("production", budget="12.5"))

    assert banner.startswith("MTurk target: production at " + PRODUCTION_ENDPOINT_URL)
    assert "$12.50" in banner
    assert "\n" not in banner
    assert DUMMY_KEY_ID not in banner
    assert DUMMY_SECRET not in banner


def test_preview_url_uses_hit_group():
    connection = connect("sandbox")
    hit = {"HITId": "3HIT", "HITTypeId": "3TYPE", "HITGroupId": "3GROUP"}

    assert connection.preview_url(hit) == "https://workersandbox.mturk.com/mturk/preview?groupId=3GROUP"
    assert connection.preview_url({"HIT": hit}) == connection.preview_url(hit)
    assert connection.preview_url("3GROUP") == connection.preview_url(hit)


def test_preview_url_without_group_rejected():
    with pytest.raises(ValueError, match="HITGroupId"):
        connect("sandbox").preview_url({"HITId": "3HIT"})


# --- the local target against real mturk_local processes -----------------

def test_local_with_endpoint_attaches(mturk_server):
    connection = connect("local", endpoint_url=mturk_server.endpoint_url)

    assert connection.target == "local"
    assert connection.started_server is False
    assert connection.worker_url == mturk_server.endpoint_url
    assert connection.image_base_url == mturk_server.endpoint_url + "/images/"
    assert "AvailableBalance" in connection.client.get_account_balance()
    assert str(connection) == f"MTurk target: local at {mturk_server.endpoint_url}"


def test_local_starts_then_attaches(tmp_path, monkeypatch):
    state_dir = tmp_path / "state"
    monkeypatch.setenv("MTURK_LOCAL_INSTANT", "1")
    try:
        first = connect(state_dir=state_dir)
        second = connect("local", state_dir=state_dir)

        assert first.started_server is True
        assert second.started_server is False
        assert first.server_pid is not None
        assert second.server_pid == first.server_pid
        assert second.endpoint_url == first.endpoint_url
        assert first.endpoint_url.startswith("http://127.0.0.1:")
        info = json.loads((state_dir / "server.json").read_text())
        assert info["pid"] == first.server_pid
        assert info["instant"] is True
        assert (state_dir / "server.log").exists()
        assert "AvailableBalance" in second.client.get_account_balance()
    finally:
        stop_local_server(state_dir)


def test_local_state_dir_from_environment(tmp_path, monkeypatch):
    state_dir = tmp_path / "from-env"
    monkeypatch.setenv("MTURK_LOCAL_STATE_DIR", str(state_dir))
    try:
        connection = connect()

        assert connection.started_server is True
        assert json.loads((state_dir / "server.json").read_text())["pid"] == connection.server_pid
    finally:
        stop_local_server(state_dir)


def test_local_ignores_stale_server_file(tmp_path):
    state_dir = tmp_path / "stale"
    state_dir.mkdir()
    # Port 9 (discard) on loopback has no mturk_local listening.
    stale = {"endpoint_url": "http://127.0.0.1:9", "pid": 999999, "port": 9}
    (state_dir / "server.json").write_text(json.dumps(stale))
    try:
        connection = connect(state_dir=state_dir)

        assert connection.started_server is True
        assert connection.endpoint_url != stale["endpoint_url"]
        assert "AvailableBalance" in connection.client.get_account_balance()
    finally:
        stop_local_server(state_dir)


def test_local_start_failure_names_log(tmp_path, monkeypatch):
    state_dir = tmp_path / "broken"
    monkeypatch.setenv("MTURK_LOCAL_SPEED", "not-a-number")
    try:
        with pytest.raises(RuntimeError) as caught:
            connect(state_dir=state_dir)
    finally:
        stop_local_server(state_dir)

    assert str(state_dir / "server.log") in str(caught.value)


def test_connection_fields_are_a_dataclass():
    connection = connect("sandbox")

    assert isinstance(connection, Connection)
    assert connection.server_pid is None
