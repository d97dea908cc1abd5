"""Connect a boto3 MTurk client to the local service, the sandbox or production.

The target comes from the ``target`` argument, else the ``MTURK_TARGET``
environment variable, else ``"local"``:

- ``local``: the ``mturk_local`` service that ships with this repository. If
  one is already running for the state folder (its ``server.json`` names an
  endpoint that responds to ``/_local/health``), the client attaches to it.
  Otherwise ``connect`` starts one in the background. Dummy credentials are
  used, so no AWS account is needed.
- ``sandbox``: MTurk's requester sandbox, where no money is spent.
- ``production``: the real marketplace. Requires an explicit ``budget`` in
  dollars, which the batch helpers check before they create HITs.

Sandbox and production use boto3's standard credential chain (environment
variables, ``~/.aws/credentials``, ...).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

import boto3
from botocore.config import Config

from .costs import to_money
from .questions import preview_url as _preview_url

__all__ = [
    "Connection",
    "connect",
    "TARGETS",
    "SANDBOX_ENDPOINT_URL",
    "PRODUCTION_ENDPOINT_URL",
]

logger = logging.getLogger(__name__)

TARGETS = ("local", "sandbox", "production")
SANDBOX_ENDPOINT_URL = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
PRODUCTION_ENDPOINT_URL = "https://mturk-requester.us-east-1.amazonaws.com"
SANDBOX_WORKER_URL = "https://workersandbox.mturk.com"
PRODUCTION_WORKER_URL = "https://worker.mturk.com"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = REPO_ROOT / ".mturk_local"

# Total attempts per API call in botocore's "standard" retry mode, which
# retries throttling errors and 5xx faults with exponential back-off. The
# default of 3 gives up too early when a large batch is throttled.
MAX_ATTEMPTS_PER_CALL = 10

# Any credentials work against mturk_local because it does not verify SigV4.
LOCAL_ACCESS_KEY_ID = "local"
LOCAL_SECRET_ACCESS_KEY = "local"



@dataclass
class Connection:
    """A boto3 MTurk client and the facts a notebook needs about its target.

    ``worker_url`` is the worker website where HITs can be previewed and done.
    ``image_base_url`` is where HIT pages load images from (``None`` when not
    configured). ``budget`` is the spending limit in dollars, or ``None``.
    ``server_pid`` and ``started_server`` describe the local service process
    and are ``None``/``False`` for other targets. ``state_dir`` is the local
    service's state folder, or ``None`` for other targets and for a local
    service reached through an explicit ``endpoint_url``.
    """

    client: Any
    target: str
    endpoint_url: str
    worker_url: str
    image_base_url: str | None = None
    budget: Decimal | None = None
    server_pid: int | None = None
    started_server: bool = field(default=False)
    state_dir: Path | None = None

    def preview_url(self, hit: Mapping[str, Any] | str) -> str:
        """Return the worker-site URL that previews ``hit``.

        ``hit`` is a HIT dict (as in ``get_hit(...)["HIT"]``), a whole
        ``create_hit`` response containing ``"HIT"``, or a HITGroupId.
        """
        if isinstance(hit, str):
            hit = {"HITGroupId": hit}
        return _preview_url(self.worker_url, hit)

    def __str__(self) -> str:
        banner = f"MTurk target: {self.target} at {self.endpoint_url}"
        if self.budget is not None:
            banner += f" (budget ${self.budget:.2f})"
        return banner


def connect(
    target: str | None = None,
    *,
    budget: str | Decimal | int | None = None,
    endpoint_url: str | None = None,
    state_dir: str | os.PathLike | None = None,
    region_name: str = "us-east-1",
) -> Connection:
    """Build an MTurk client for ``target`` and return it as a ``Connection``.

    ``budget`` is a dollar amount such as ``"25.00"`` and is required for
    ``production``. ``endpoint_url`` overrides the target's API endpoint.
    ``state_dir`` is the local service's state folder (default: env
    ``MTURK_LOCAL_STATE_DIR``, else ``.mturk_local`` in the repository).

    For ``local`` without an ``endpoint_url``, this attaches to the service
    recorded in ``state_dir/server.json`` when it responds, or starts
    ``python -m mturk_local serve`` in the background. The env variables
    ``MTURK_LOCAL_SEED``, ``MTURK_LOCAL_SPEED`` and ``MTURK_LOCAL_INSTANT``
    are passed to a newly started service as ``--seed``, ``--speed`` and
    ``--instant``. A new service runs in instant mode unless
    ``MTURK_LOCAL_SPEED`` is set or ``MTURK_LOCAL_INSTANT`` is ``0``.
    The service keeps running after this process ends; stop it with
    ``python -m mturk_local stop --state-dir DIR``.

    Raises ``ValueError`` for an unknown target, an invalid budget, or
    production without a budget. Raises ``TypeError`` for a float budget (pass
    a string), and ``RuntimeError`` when the local service does not start.
    """
    target = _resolve_target(target)
    budget_amount = _parse_budget(budget)

    if target == "production" and budget_amount is None:
        raise ValueError(
            "target 'production' spends real money, so connect() needs an explicit "
            "budget in dollars, for example connect('production', budget='25.00'); "
            "use target 'sandbox' or 'local' to try things without paying"
        )

    if target == "local":
        return _connect_local(budget_amount, endpoint_url, state_dir, region_name)

    if target == "sandbox":
        default_endpoint, worker_url = SANDBOX_ENDPOINT_URL, SANDBOX_WORKER_URL
    else:
        default_endpoint, worker_url = PRODUCTION_ENDPOINT_URL, PRODUCTION_WORKER_URL
    endpoint = endpoint_url or default_endpoint

    client = boto3.client(
        "mturk",
        endpoint_url=endpoint,
        region_name=region_name,
        config=_client_config(),
    )
    connection = Connection(
        client=client,
        target=target,
        endpoint_url=endpoint,
        worker_url=worker_url,
        image_base_url=os.environ.get("MTURK_IMAGE_BASE_URL") or None,
        budget=budget_amount,
    )
    logger.info("connected: %s", connection)
    return connection


def _resolve_target(target: str | None) -> str:
    if target is None:
        target = os.environ.get("MTURK_TARGET") or "local"
    normalised = target.strip().lower()
    if normalised not in TARGETS:
        raise ValueError(
            f"unknown MTurk target {target!r}; use one of 'local', 'sandbox' or "
            "'production' (argument or env MTURK_TARGET)"
        )
    return normalised


def _parse_budget(budget: str | Decimal | int | None) -> Decimal | None:
    if budget is None:
        return None
    return to_money(budget, "budget")


def _client_config() -> Config:
    return Config(retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS_PER_CALL})


def _connect_local(
    budget: Decimal | None,
    endpoint_url: str | None,
    state_dir: str | os.PathLike | None,
    region_name: str,
) -> Connection:
    server_pid = None
    started = False
    directory = None
    if endpoint_url is None:
        # Imported here because the sandbox and production targets do not need mturk_local.
        from mturk_local.process import find_running_server, start_in_background

        directory = _resolve_state_dir(state_dir)
        info = find_running_server(directory)
        if info is None:
            info, _ = start_in_background(directory, extra_args=tuple(_server_options_from_env()))
            started = True
        else:
            logger.info("attached to mturk_local at %s (pid %s)", info.endpoint_url, info.pid)
        endpoint_url = info.endpoint_url
        server_pid = info.pid

    endpoint_url = endpoint_url.rstrip("/")
    client = boto3.client(
        "mturk",
        endpoint_url=endpoint_url,
        region_name=region_name,
        aws_access_key_id=LOCAL_ACCESS_KEY_ID,
        aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
        config=_client_config(),
    )
    connection = Connection(
        client=client,
        target="local",
        endpoint_url=endpoint_url,
        worker_url=endpoint_url,
        image_base_url=endpoint_url + "/images/",
        budget=budget,
        server_pid=server_pid,
        started_server=started,
        state_dir=directory,
    )
    logger.info("connected: %s", connection)
    return connection


def _resolve_state_dir(state_dir: str | os.PathLike | None) -> Path:
    if state_dir is None:
        state_dir = os.environ.get("MTURK_LOCAL_STATE_DIR") or DEFAULT_STATE_DIR
    return Path(state_dir).expanduser().resolve()


def _server_options_from_env() -> list[str]:
    options = []
    seed = os.environ.get("MTURK_LOCAL_SEED")
    if seed:
        options += ["--seed", seed]
    speed = os.environ.get("MTURK_LOCAL_SPEED")
    if speed:
        options += ["--speed", speed]
    # The crowd works instantly unless a clock speed is set or instant mode is
    # switched off, so a notebook run by hand does not wait minutes for the boxes.
    instant = os.environ.get("MTURK_LOCAL_INSTANT", "").strip().lower()
    if instant in ("1", "true", "yes", "on") or (not speed and instant not in ("0", "false", "no", "off")):
        options.append("--instant")
    return options
