"""Command line: `python -m mturk_local serve|status|stop|reset`.

`serve` writes DIR/server.json (endpoint_url, pid, port, seed, speed, instant)
once the socket listens, prints `mturk_local listening on <url>`, and removes
the file on SIGTERM or SIGINT. It needs no terminal, so a notebook can start
it in the background.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import urllib.request
from decimal import Decimal, InvalidOperation
from pathlib import Path

from . import constants as c
from .process import (
    HEALTH_TIMEOUT_SECONDS,
    SERVER_INFO_FILE,
    find_running_server,
    read_server_info,
    server_is_healthy,
    terminate_server,
)

__all__ = ["main", "build_parser", "SERVER_INFO_FILE_NAME"]

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER_INFO_FILE_NAME = SERVER_INFO_FILE
DEFAULT_PORT = 8765
DEFAULT_SEED = 2017
STOP_TIMEOUT_SECONDS = 10.0


def _dollars(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected an amount in US dollars like '250.00'; got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"the balance must not be negative; got {text!r}")
    return value.quantize(Decimal("0.01"))


def _speed(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"speed must be a positive multiple of real time like 1 or 60; got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mturk_local",
                                     description="Local stand-in for the MTurk requester API (2017-01-17).")
    commands = parser.add_subparsers(dest="command", required=True)

    def add_state_dir(command: argparse.ArgumentParser) -> None:
        command.add_argument("--state-dir", type=Path, default=REPO_ROOT / ".mturk_local",
                             help="folder of the database and server.json (default: <repo>/.mturk_local)")

    serve = commands.add_parser("serve", help="run the service in the foreground")
    add_state_dir(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="TCP port; 0 picks a free one (default 8765)")
    serve.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of ids and of the simulated crowd")
    serve.add_argument("--speed", type=_speed, default=1.0,
                       help="simulated seconds per real second (default 1.0)")
    serve.add_argument("--instant", action="store_true",
                       help="the simulated crowd finishes its work at the next request; the clock jumps to "
                            "each crowd event")
    serve.add_argument("--known-answers", type=Path, default=REPO_ROOT / "images" / "known_answers.json",
                       help="COCO JSON of the images the crowd can annotate (default <repo>/images/known_answers.json)")
    serve.add_argument("--images-dir", type=Path, default=REPO_ROOT / "images",
                       help="folder served under /images/ (default <repo>/images)")
    serve.add_argument("--balance-mode", choices=("sandbox", "production"), default="sandbox",
                       help="sandbox: the balance is always $10000.00; production: approvals and bonuses are "
                            "charged with MTurk's fees")
    serve.add_argument("--initial-balance", type=_dollars, default=Decimal("10000.00"),
                       help="starting balance in US dollars for --balance-mode production (default 10000.00)")
    serve.add_argument("--allow-zero-reward", action="store_true",
                       help="accept a Reward of 0.00 US dollars (default: at least 0.01)")
    serve.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"),
                       help="logging level on stderr (default INFO)")

    for name, text in (("status", "print the endpoint and whether it answers (exit 1 when not running)"),
                       ("stop", "stop a running service (SIGTERM) and wait for it to exit"),
                       ("reset", "delete all HITs, assignments and money records")):
        add_state_dir(commands.add_parser(name, help=text))
    return parser


def _write_info_atomically(path: Path, info: dict) -> None:
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(info, indent=2) + "\n")
    os.replace(temporary, path)


# Commands ---------------------------------------------------------------------------------------

def _status(args) -> int:
    info = read_server_info(args.state_dir)
    if info is None:
        print(f"mturk_local is not running (no {SERVER_INFO_FILE_NAME} in {args.state_dir})")
        return 1
    if server_is_healthy(info.endpoint_url):
        print(f"mturk_local is running at {info.endpoint_url} (pid {info.pid})")
        return 0
    print(f"mturk_local is not answering at {info.endpoint_url} (pid {info.pid}); "
          f"{args.state_dir / SERVER_INFO_FILE_NAME} is stale")
    return 1


def _stop(args) -> int:
    info = read_server_info(args.state_dir)
    if info is None:
        print(f"mturk_local is not running (no {SERVER_INFO_FILE_NAME} in {args.state_dir})")
        return 0
    if not server_is_healthy(info.endpoint_url):
        # Do not signal a pid that may have been reused by another program.
        (args.state_dir / SERVER_INFO_FILE_NAME).unlink(missing_ok=True)
        print(f"mturk_local was not answering at {info.endpoint_url}; removed the stale {SERVER_INFO_FILE_NAME}")
        return 0
    if terminate_server(info, STOP_TIMEOUT_SECONDS):
        print(f"mturk_local (pid {info.pid}) stopped")
        return 0
    print(f"mturk_local (pid {info.pid}) did not exit within {STOP_TIMEOUT_SECONDS:.0f} s of SIGTERM",
          file=sys.stderr)
    return 1


def _reset(args) -> int:
    from .constants import LEDGER_FILE_NAME
    from .store import DATABASE_FILE_NAME
    info = find_running_server(args.state_dir)
    if info is not None:
        request = urllib.request.Request(info.endpoint_url + "/_local/reset", data=b"{}", method="POST")
        with urllib.request.urlopen(request, timeout=HEALTH_TIMEOUT_SECONDS * 5) as response:
            response.read()
        print(f"reset the running mturk_local at {info.endpoint_url}")
        return 0
    for suffix in ("", "-wal", "-shm"):
        (args.state_dir / (DATABASE_FILE_NAME + suffix)).unlink(missing_ok=True)
    (args.state_dir / LEDGER_FILE_NAME).unlink(missing_ok=True)
    print(f"deleted the mturk_local database in {args.state_dir}")
    return 0


def _serve(args) -> int:
    logging.basicConfig(level=args.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    info = find_running_server(args.state_dir)
    if info is not None:
        print(f"mturk_local is already running at {info.endpoint_url} (pid {info.pid}); "
              "stop it first with `python -m mturk_local stop`", file=sys.stderr)
        return 1
    try:
        asyncio.run(_run_server(args))
    except OSError as error:
        logger.error("mturk_local could not start on %s:%s: %s", args.host, args.port, error)
        return 1
    return 0


async def _run_server(args) -> None:
    import tornado.httpserver
    import tornado.netutil

    from .backend import Backend, BackendConfig, load_crowd
    from .clock import SimulatedClock
    from .server import make_app
    from .store import DATABASE_FILE_NAME, Store

    args.state_dir.mkdir(parents=True, exist_ok=True)
    store = Store(args.state_dir / DATABASE_FILE_NAME)
    config = BackendConfig(seed=args.seed, instant=args.instant, balance_mode=args.balance_mode,
                           initial_balance_dollars=args.initial_balance,
                           min_reward_dollars=Decimal("0.00") if args.allow_zero_reward else c.MIN_REWARD_DOLLARS)
    backend = Backend(store, SimulatedClock(args.speed), config, load_crowd(args.seed, args.known_answers))
    app = make_app(backend, str(args.images_dir))

    sockets = tornado.netutil.bind_sockets(args.port, address=args.host)
    port = sockets[0].getsockname()[1]
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    endpoint_url = f"http://{args.host}:{port}"
    info_path = args.state_dir / SERVER_INFO_FILE_NAME
    _write_info_atomically(info_path, {"endpoint_url": endpoint_url, "pid": os.getpid(), "port": port,
                                       "seed": args.seed, "speed": args.speed, "instant": args.instant})
    logger.info("mturk_local started at %s (state %s, seed %d, speed %s, instant %s, balance mode %s)",
                endpoint_url, args.state_dir, args.seed, args.speed, args.instant, args.balance_mode)
    try:
        print(f"mturk_local listening on {endpoint_url}", flush=True)
    except OSError as error:
        logger.warning("could not print the start line to stdout: %s", error)

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stopping.set)
    await stopping.wait()

    logger.info("mturk_local stopping")
    server.stop()
    await server.close_all_connections()
    info_path.unlink(missing_ok=True)
    store.close()
    logger.info("mturk_local stopped")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = {"serve": _serve, "status": _status, "stop": _stop, "reset": _reset}[args.command]
    return command(args)
