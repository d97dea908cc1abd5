"""The command line (status, stop, reset) and an unmodified boto3 script run as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mturk_test_support import html_question, make_client, start_server, stop_server

REPO_ROOT = Path(__file__).resolve().parents[2]

KNOWN_ANSWERS = {
    "info": {"description": "one kitchen photo for the crowd test"},
    "licenses": [],
    "images": [{"id": 1, "file_name": "kitchen.jpg", "width": 640, "height": 480, "license": 0}],
    "categories": [{"id": 1, "name": "cup", "supercategory": "kitchenware"},
                   {"id": 2, "name": "spoon", "supercategory": "kitchenware"}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [100, 120, 80, 90], "area": 7200, "iscrowd": 0},
        {"id": 2, "image_id": 1, "category_id": 2, "bbox": [300, 200, 40, 120], "area": 4800, "iscrowd": 0},
    ],
}

# A plain boto3 program: it finds the service only through AWS_ENDPOINT_URL_MTURK.
SCRIPT = textwrap.dedent('''
    import json
    import boto3

    NAMESPACE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
    PAGE = (
        '<!DOCTYPE html><html><body>'
        '<div id="bbox-task" data-image-url="http://127.0.0.1/images/kitchen.jpg" data-labels="cup, spoon"></div>'
        '<form method="post" action="/mturk/externalSubmit"><input type="hidden" name="assignmentId">'
        '<input type="hidden" name="annotation_data"><input type="hidden" name="image_width">'
        '<input type="hidden" name="image_height"><textarea name="comments"></textarea></form>'
        '</body></html>'
    )
    question = (f'<HTMLQuestion xmlns="{NAMESPACE}"><HTMLContent><![CDATA[{PAGE}]]></HTMLContent>'
                '<FrameHeight>0</FrameHeight></HTMLQuestion>')

    client = boto3.client("mturk")
    hit = client.create_hit(MaxAssignments=3, LifetimeInSeconds=86400, AssignmentDurationInSeconds=3600,
                            Reward="0.10", Title="Draw boxes", Description="Box every cup and spoon.",
                            Question=question)["HIT"]
    assignments = []
    token = None
    while True:
        page = client.list_assignments_for_hit(HITId=hit["HITId"], MaxResults=100,
                                               **({"NextToken": token} if token else {}))
        assignments += page["Assignments"]
        token = page.get("NextToken")
        if not page["Assignments"]:
            break
    for assignment in assignments:
        client.approve_assignment(AssignmentId=assignment["AssignmentId"])
    final = client.list_assignments_for_hit(HITId=hit["HITId"], MaxResults=100)["Assignments"]
    print(json.dumps({"hit_status": client.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"],
                      "workers": [a["WorkerId"] for a in assignments],
                      "answers": [a["Answer"] for a in assignments],
                      "statuses": [a["AssignmentStatus"] for a in final]}))
''')


@pytest.fixture
def crowd_server(tmp_path):
    known_answers = tmp_path / "known_answers.json"
    known_answers.write_text(json.dumps(KNOWN_ANSWERS))
    server = start_server(tmp_path / "state", "--instant", "--known-answers", str(known_answers))
    yield server
    stop_server(server)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mturk_local", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60)


def test_plain_boto3_script_gets_crowd_work(crowd_server, tmp_path):
    script = tmp_path / "approve_boxes.py"
    script.write_text(SCRIPT)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    environment.update({"AWS_ENDPOINT_URL_MTURK": crowd_server.endpoint_url, "AWS_ACCESS_KEY_ID": "local",
                        "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1"})

    completed = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=environment, capture_output=True,
                               text=True, timeout=120)

    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert len(result["workers"]) == 3
    assert len(set(result["workers"])) == 3
    assert result["statuses"] == ["Approved"] * 3
    assert result["hit_status"] == "Reviewable"
    for answer in result["answers"]:
        assert "<QuestionIdentifier>annotation_data</QuestionIdentifier>" in answer
        assert "<QuestionIdentifier>image_width</QuestionIdentifier><FreeText>640</FreeText>" in answer


def test_crowd_answers_repeat_after_reset(crowd_server):
    client = make_client(crowd_server.endpoint_url)
    page = ('<div id="bbox-task" data-image-url="http://127.0.0.1/images/kitchen.jpg" data-labels="cup"></div>')

    def run_once() -> list[tuple[str, str]]:
        crowd_server.reset()
        hit = client.create_hit(MaxAssignments=2, LifetimeInSeconds=86400, AssignmentDurationInSeconds=3600,
                                Reward="0.10", Title="T", Description="D", Question=html_question(page))["HIT"]
        assignments = client.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
        return [(a["WorkerId"], a["Answer"]) for a in assignments]

    first = run_once()
    assert len(first) == 2
    assert run_once() == first


def test_status_stop_and_reset(tmp_path):
    state_dir = tmp_path / "cli"
    server = start_server(state_dir)
    client = make_client(server.endpoint_url)
    client.create_hit(LifetimeInSeconds=600, AssignmentDurationInSeconds=300, Reward="0.01", Title="T",
                      Description="D", Question=html_question())
    try:
        running = run_cli("status", "--state-dir", str(state_dir))
        reset = run_cli("reset", "--state-dir", str(state_dir))
        hits_after_reset = client.list_hits()["NumResults"]
        stopped = run_cli("stop", "--state-dir", str(state_dir))
        server.process.wait(timeout=10)
        not_running = run_cli("status", "--state-dir", str(state_dir))
    finally:
        stop_server(server)

    assert running.returncode == 0
    assert f"running at {server.endpoint_url}" in running.stdout
    assert reset.returncode == 0
    assert hits_after_reset == 0
    assert stopped.returncode == 0
    assert server.process.returncode == 0
    assert not (state_dir / "server.json").exists()
    assert not_running.returncode == 1


def test_reset_without_server_deletes_database(tmp_path):
    state_dir = tmp_path / "offline"
    server = start_server(state_dir)
    stop_server(server)

    reset = run_cli("reset", "--state-dir", str(state_dir))

    assert reset.returncode == 0
    assert not (state_dir / "mturk.sqlite3").exists()


def test_server_json_contents(mturk_server):
    info = json.loads((mturk_server.state_dir / "server.json").read_text())

    assert info["endpoint_url"] == mturk_server.endpoint_url
    assert info["endpoint_url"] == f"http://127.0.0.1:{info['port']}"
    assert info["pid"] == mturk_server.process.pid
    assert info["seed"] == 2017
    assert info["speed"] == 1.0
    assert info["instant"] is True


def test_health_and_clock_routes(mturk_server):
    health = mturk_server.admin("health")
    before = mturk_server.admin("clock")["now"]
    after = mturk_server.admin("clock/advance", {"seconds": 600})["now"]

    assert health["status"] == "ok"
    assert health["seed"] == 2017
    assert health["instant"] is True
    assert after - before >= 600
