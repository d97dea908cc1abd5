"""Run the four notebooks headless against a fresh local MTurk service.

    python tools/series.py run      execute into build/notebooks, print each notebook's time
    python tools/series.py update   execute and save the outputs into notebooks/ (to commit)
    python tools/series.py test     pytest --nbval over notebooks/, each on a fresh service
    python tools/series.py repeat   run the series twice and require identical sanitized outputs

``run`` and ``update`` start one fresh service for the whole series, so a
later notebook finds what an earlier one created. ``test`` gives every notebook
a service of its own, which checks that each runs alone, and compares its
outputs with the committed ones through the sanitize file. ``repeat`` compares
every output of two runs, images included, after the same sanitizing.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from mturk_local.process import start_in_background, stop_server  # noqa: E402

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
SANITIZE_FILE = REPO_ROOT / "tests" / "nbval_sanitize.cfg"
SERIES_SEED = 2017
CELL_TIMEOUT_SECONDS = 600


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


class FreshService:
    """A local MTurk service with an empty state folder, stopped on exit."""

    def __init__(self, state_dir: Path):
        self.state_dir = state_dir

    def __enter__(self) -> "FreshService":
        shutil.rmtree(self.state_dir, ignore_errors=True)
        info, _ = start_in_background(self.state_dir, seed=SERIES_SEED, instant=True)
        self.endpoint_url = info.endpoint_url
        os.environ["MTURK_LOCAL_STATE_DIR"] = str(self.state_dir)
        os.environ["MTURK_TARGET"] = "local"
        return self

    def __exit__(self, *exc_info) -> None:
        stop_server(self.state_dir)


def execute_notebook(path: Path, kernel_log) -> tuple[nbformat.NotebookNode, float]:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, kernel_name="python3", timeout=CELL_TIMEOUT_SECONDS, record_timing=False,
                            resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})
    started = time.perf_counter()
    # The kernel's own messages (start-up warnings, crashes) go to the log, not the terminal.
    client.execute(stdout=kernel_log, stderr=kernel_log)
    return notebook, time.perf_counter() - started


def run_series(output_dir: Path, build_dir: Path) -> None:
    output_dir.mkdir(parents=True, exist_ok=True)
    total_seconds = 0.0
    os.environ["SERIES_BUILD_DIR"] = str(build_dir)
    kernel_log_path = build_dir / "kernels.log"
    with FreshService(build_dir / "mturk_local") as service, open(kernel_log_path, "w") as kernel_log:
        print(f"Local MTurk service at {service.endpoint_url}, state in {service.state_dir}")
        for path in notebook_paths():
            notebook, seconds = execute_notebook(path, kernel_log)
            total_seconds += seconds
            nbformat.write(notebook, output_dir / path.name)
            print(f"{path.name}: {seconds:.1f} s", flush=True)
    print(f"All {len(notebook_paths())} notebooks: {total_seconds:.1f} s (kernel start-up included)")
    print(f"Executed notebooks: {output_dir}")
    print(f"Exported dataset:   {build_dir / 'dataset' / 'consensus_coco.json'}")
    print(f"Logs:               {service.state_dir / 'server.log'}, {kernel_log_path}")


def check_saved_run(path: Path) -> list[str]:
    """Return problems that show ``path`` was not saved from one run top to bottom."""
    notebook = nbformat.read(path, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = [cell.get("execution_count") for cell in code_cells]
    problems = []
    if counts != list(range(1, len(code_cells) + 1)):
        problems.append(f"{path.name}: execution counts are {counts}, expected 1..{len(code_cells)}; "
                        "run `make update` to save the notebook from one top-to-bottom run")
    errors = [output for cell in code_cells for output in cell.get("outputs", []) if output.output_type == "error"]
    if errors:
        problems.append(f"{path.name}: saved with {len(errors)} error output(s)")
    return problems


def check_notebooks(pytest_args: list[str]) -> int:
    problems = [problem for path in notebook_paths() for problem in check_saved_run(path)]
    if not notebook_paths():
        problems.append(f"no notebooks found in {NOTEBOOKS_DIR}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    worst = 0
    for path in notebook_paths():
        with tempfile.TemporaryDirectory(prefix="mturk_local_") as state_dir:
            with FreshService(Path(state_dir)):
                command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
                           "--nbval-sanitize-with", str(SANITIZE_FILE), "-p", "no:cacheprovider",
                           str(path.relative_to(REPO_ROOT)), *pytest_args]
                worst = max(worst, subprocess.call(command, cwd=REPO_ROOT))
    return worst


def sanitize_patterns() -> list[tuple[re.Pattern, str]]:
    """Read the regex/replace pairs of the nbval sanitize file."""
    parser = configparser.ConfigParser()
    parser.read(SANITIZE_FILE)
    return [(re.compile(parser[section]["regex"]), parser[section]["replace"]) for section in parser.sections()]


def sanitized_outputs(path: Path, patterns) -> list[str]:
    """Return each code cell's outputs as sanitized JSON text, one string per cell."""
    notebook = nbformat.read(path, as_version=4)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        text = json.dumps(cell.get("outputs", []), sort_keys=True)
        for pattern, replacement in patterns:
            text = pattern.sub(replacement, text)
        cells.append(text)
    return cells


def repeat_series(build_dir: Path) -> int:
    """Run the series twice on fresh services and report cells whose sanitized outputs differ."""
    runs = [build_dir / "repeat-1", build_dir / "repeat-2"]
    for run_dir in runs:
        run_series(run_dir / "notebooks", run_dir)
    patterns = sanitize_patterns()
    differences = []
    for path in notebook_paths():
        first, second = (sanitized_outputs(run_dir / "notebooks" / path.name, patterns) for run_dir in runs)
        differences += [f"{path.name}: code cell {index + 1} differs between the two runs"
                        for index, (a, b) in enumerate(zip(first, second)) if a != b]
    if differences:
        print("\n".join(differences), file=sys.stderr)
        return 1
    print(f"Two runs gave identical sanitized outputs in all {len(notebook_paths())} notebooks, images included")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "update", "test", "repeat"])
    parser.add_argument("--build-dir", type=Path, default=REPO_ROOT / "build",
                        help="folder for executed notebooks, the exported dataset and the service state")
    args, rest = parser.parse_known_args(argv)
    args.build_dir = args.build_dir.resolve()
    os.chdir(REPO_ROOT)
    if args.command == "run":
        run_series(args.build_dir / "notebooks", args.build_dir)
        return 0
    if args.command == "update":
        run_series(NOTEBOOKS_DIR, args.build_dir)
        return 0
    if args.command == "repeat":
        return repeat_series(args.build_dir)
    return check_notebooks(rest)


if __name__ == "__main__":
    sys.exit(main())
