"""The simulated crowd: recognising the bounding-box task and planning answers."""

from __future__ import annotations

import html
import json
import random
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
import xmltodict

from mturk_local.crowd import Crowd, PlannedAssignment, Task, WorkerProfile
from mturk_local.forms import question_form_answers_xml
from mturk_local.known_answers import load_known_answers

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_KNOWN_ANSWERS = REPO_ROOT / "images" / "known_answers.json"
TEMPLATE_PATH = REPO_ROOT / "helpers" / "templates" / "bounding_box.html"

HTML_QUESTION_NAMESPACE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
EXTERNAL_QUESTION_NAMESPACE = (
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd"
)
IMAGE_BASE_URL = "http://127.0.0.1:8765/images/"
LABELS = ("cup", "spoon", "bowl")
IMAGE_COUNT = 40
FIELD_NAMES = ("annotation_data", "image_width", "image_height", "comments")
BOX_KEYS = ["left", "top", "width", "height", "label"]
GOOD_KINDS = ("careful", "typical")


# ---------------------------------------------------------------------------
# Fixtures and helpers


def write_coco(tmp_path: Path) -> Path:
    """Write a COCO file of IMAGE_COUNT images with 1-4 objects each."""
    rng = random.Random(7)
    images, annotations = [], []
    categories = [{"id": index + 1, "name": name, "supercategory": "kitchenware"} for index, name in enumerate(LABELS)]
    for image_id in range(1, IMAGE_COUNT + 1):
        width, height = rng.choice([(640, 480), (800, 600), (480, 640)])
        images.append({"id": image_id, "file_name": f"photo_{image_id:03d}.jpg",
                       "width": width, "height": height, "license": 0})
        for _ in range(rng.randint(1, 4)):
            box_width = round(rng.uniform(0.08, 0.4) * width)
            box_height = round(rng.uniform(0.08, 0.4) * height)
            left = rng.randint(0, width - box_width)
            top = rng.randint(0, height - box_height)
            annotations.append({
                "id": len(annotations) + 1, "image_id": image_id, "category_id": rng.randint(1, len(LABELS)),
                "bbox": [left, top, box_width, box_height], "area": box_width * box_height, "iscrowd": 0,
            })
    path = tmp_path / "known_answers.json"
    path.write_text(json.dumps({"info": {}, "licenses": [], "images": images,
                                "categories": categories, "annotations": annotations}))
    return path


@pytest.fixture(scope="module")
def known_images(tmp_path_factory):
    return load_known_answers(write_coco(tmp_path_factory.mktemp("known_answers")))


@pytest.fixture(scope="module")
def crowd(known_images):
    return Crowd(2017, known_images)


def html_question(page: str) -> str:
    return (
        f'<HTMLQuestion xmlns="{HTML_QUESTION_NAMESPACE}"><HTMLContent><![CDATA[{page}]]></HTMLContent>'
        "<FrameHeight>0</FrameHeight></HTMLQuestion>"
    )


def bbox_page(image_url: str, labels: str) -> str:
    """A small page with the template's marker, attribute values escaped as layouts do."""
    return (
        "<!DOCTYPE html><html><head><title>Draw boxes</title></head><body>"
        f'<div id="bbox-task" data-image-url="{html.escape(image_url)}" data-labels="{html.escape(labels)}">'
        "<canvas></canvas></div>"
        '<form method="post"><input type="hidden" name="assignmentId"></form>'
        "</body></html>"
    )


def task_for(file_name: str, labels: tuple[str, ...] = LABELS) -> Task:
    return Task(kind="bbox-template", image_file=file_name, labels=labels)


def boxes_of(planned: PlannedAssignment) -> list[dict]:
    fields = dict(planned.fields)
    return json.loads(fields["annotation_data"])


def iou_xywh(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Continuous IoU of two xywh boxes, written out here so the test does not trust the code under test."""
    ax2, ay2 = a[0] + a[2], a[1] + a[3]
    bx2, by2 = b[0] + b[2], b[1] + b[3]
    overlap_width = max(0.0, min(ax2, bx2) - max(a[0], b[0]))
    overlap_height = max(0.0, min(ay2, by2) - max(a[1], b[1]))
    intersection = overlap_width * overlap_height
    union = a[2] * a[3] + b[2] * b[3] - intersection
    return intersection / union if union > 0 else 0.0


def mean_iou_with_truth(planned: PlannedAssignment, image) -> float:
    """Mean over true objects of the best IoU with any drawn box; a missed object counts 0."""
    drawn = [(box["left"], box["top"], box["width"], box["height"]) for box in boxes_of(planned)]
    scores = []
    for known_object in image.objects:
        scores.append(max((iou_xywh(known_object.bbox_xywh, box) for box in drawn), default=0.0))
    return statistics.mean(scores)


def workers_of_kind(crowd: Crowd, kind: str) -> list[WorkerProfile]:
    return [worker for worker in crowd.workers if worker.kind == kind]


# ---------------------------------------------------------------------------
# The worker pool


def test_pool_default_size_and_kinds(crowd):
    kinds = {worker.kind for worker in crowd.workers}

    assert len(crowd.workers) == 60
    assert kinds == {"careful", "typical", "sloppy", "spammer", "automated"}
    assert len(workers_of_kind(crowd, "typical")) > len(workers_of_kind(crowd, "spammer"))


def test_worker_ids_look_like_mturk(crowd):
    ids = [worker.worker_id for worker in crowd.workers]

    for worker_id in ids:
        assert re.fullmatch(r"A[0-9A-Z]{13}", worker_id), worker_id
    assert len(set(ids)) == len(ids)


def test_worker_ids_follow_seed(known_images):
    first = [worker.worker_id for worker in Crowd(2017, known_images).workers]
    again = [worker.worker_id for worker in Crowd(2017, known_images).workers]
    other = [worker.worker_id for worker in Crowd(2018, known_images).workers]

    assert first == again
    assert not set(first) & set(other)


def test_pool_size_option(known_images):
    assert len(Crowd(1, known_images, pool_size=7).workers) == 7


def test_pool_size_must_be_positive(known_images):
    with pytest.raises(ValueError) as error:
        Crowd(1, known_images, pool_size=0)

    assert str(error.value) == "pool_size must be a positive number of workers, like 60; got 0"


def test_profile_values_in_range(crowd):
    for worker in crowd.workers:
        assert 0 <= worker.miss_probability <= 1
        assert 0 <= worker.false_box_probability <= 1
        assert 0 <= worker.label_error_probability <= 1
        assert 0 <= worker.approval_rate_percent <= 100
        assert worker.approved_hit_count >= 0
        assert worker.seconds_per_box > 0
        assert worker.accept_delay_mean_seconds > 0
        assert re.fullmatch(r"[A-Z]{2}", worker.locale_country)
        assert isinstance(worker.masters, bool)
        assert isinstance(worker.adult, bool)


def test_worker_lookup(crowd):
    first = crowd.workers[0]

    assert crowd.worker(first.worker_id) is first
    with pytest.raises(KeyError):
        crowd.worker("ANOTHERWORKER1")


# ---------------------------------------------------------------------------
# recognise()


def test_recognise_marker_page(crowd):
    question = html_question(bbox_page(IMAGE_BASE_URL + "photo_001.jpg", "cup, spoon"))

    assert crowd.recognise(question) == Task(kind="bbox-template", image_file="photo_001.jpg", labels=("cup", "spoon"))


def test_recognise_url_with_query_and_escapes(crowd):
    url = "http://127.0.0.1:8765/images/photo%5F002.jpg?size=full&v=2"
    question = html_question(bbox_page(url, " cup ,, Cup, bowl,cup "))

    task = crowd.recognise(question)

    # Labels are split as the template's script splits them: trimmed, with
    # blanks and exact repeats dropped.
    assert task == Task(kind="bbox-template", image_file="photo_002.jpg", labels=("cup", "Cup", "bowl"))


def test_recognise_question_with_xml_declaration(crowd):
    question = '<?xml version="1.0" encoding="UTF-8"?>' + html_question(bbox_page(IMAGE_BASE_URL + "photo_003.jpg", "bowl"))

    assert crowd.recognise(question) == task_for("photo_003.jpg", ("bowl",))


def test_recognise_real_template_when_present(crowd):
    if not TEMPLATE_PATH.exists():
        pytest.skip("helpers/templates/bounding_box.html is not in the repository yet")
    template = TEMPLATE_PATH.read_text(encoding="utf-8")
    page = template.replace("${image_url}", html.escape(IMAGE_BASE_URL + "photo_004.jpg"))
    page = page.replace("${objects_to_find}", html.escape("cup, spoon"))

    assert crowd.recognise(html_question(page)) == task_for("photo_004.jpg", ("cup", "spoon"))


@pytest.mark.parametrize(
    "question",
    [
        # empty and garbage input
        "",
        "not xml at all",
        "<HTMLQuestion><HTMLContent>",
        "\x00\x01\x02",
        # an HTMLQuestion without the marker
        html_question("<!DOCTYPE html><html><body><p>Is this a cat?</p></body></html>"),
        # the marker on another element
        html_question('<html><body><span id="bbox-task" data-image-url="'
                      + IMAGE_BASE_URL + 'photo_001.jpg" data-labels="cup"></span></body></html>'),
        # the marker only inside a script string
        html_question("<html><body><script>var s = '<div id=\"bbox-task\" data-image-url=\""
                      + IMAGE_BASE_URL + "photo_001.jpg\" data-labels=\"cup\">';</script></body></html>"),
        # two markers
        html_question(bbox_page(IMAGE_BASE_URL + "photo_001.jpg", "cup") * 2),
        # no labels
        html_question(bbox_page(IMAGE_BASE_URL + "photo_001.jpg", " , ")),
        # an image without known answers
        html_question(bbox_page(IMAGE_BASE_URL + "unknown.jpg", "cup")),
        # the template before layout parameters were substituted
        html_question(bbox_page("${image_url}", "${objects_to_find}")),
        # an ExternalQuestion, even one pointing at a known image
        f'<ExternalQuestion xmlns="{EXTERNAL_QUESTION_NAMESPACE}"><ExternalURL>'
        f"https://example.com/task?image=photo_001.jpg</ExternalURL><FrameHeight>600</FrameHeight></ExternalQuestion>",
        # a QuestionForm
        '<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/'
        'QuestionForm.xsd"><Question><QuestionIdentifier>q</QuestionIdentifier></Question></QuestionForm>',
        # an entity declaration
        '<!DOCTYPE HTMLQuestion [<!ENTITY a "aaaa">]><HTMLQuestion><HTMLContent>&a;</HTMLContent></HTMLQuestion>',
        # an HTMLQuestion without HTMLContent
        f'<HTMLQuestion xmlns="{HTML_QUESTION_NAMESPACE}"><FrameHeight>0</FrameHeight></HTMLQuestion>',
    ],
)
def test_recognise_returns_none(crowd, question):
    assert crowd.recognise(question) is None


@pytest.mark.parametrize("question", [None, b"<HTMLQuestion/>", 42])
def test_recognise_non_string_returns_none(crowd, question):
    assert crowd.recognise(question) is None


# ---------------------------------------------------------------------------
# plan(): determinism and worker choice


def test_plan_same_seed_same_result(known_images):
    first = Crowd(2017, known_images)
    second = Crowd(2017, known_images)

    for file_name in sorted(known_images)[:10]:
        assert first.plan(task_for(file_name), 5) == second.plan(task_for(file_name), 5)


def test_plan_different_seed_different_result(known_images):
    first = Crowd(2017, known_images)
    second = Crowd(2018, known_images)

    differing = [
        file_name for file_name in sorted(known_images)[:10]
        if first.plan(task_for(file_name), 5) != second.plan(task_for(file_name), 5)
    ]

    assert len(differing) == 10


PLAN_IN_SUBPROCESS = """
import json, sys
from mturk_local.crowd import Crowd, Task
from mturk_local.known_answers import load_known_answers
crowd = Crowd(2017, load_known_answers(sys.argv[1]))
plans = crowd.plan(Task("bbox-template", "photo_001.jpg", ("cup", "spoon", "bowl")), 5)
print(json.dumps([[p.worker_id, p.accept_delay_seconds, p.work_seconds, p.fields] for p in plans]))
"""


def test_plan_same_in_other_processes(tmp_path, crowd):
    coco_path = write_coco(tmp_path)
    expected = [
        [planned.worker_id, planned.accept_delay_seconds, planned.work_seconds,
         [list(field) for field in planned.fields]]
        for planned in crowd.plan(task_for("photo_001.jpg"), 5)
    ]

    # Different string-hash seeds would change any result that leaked from
    # Python's hash().
    for hash_seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", PLAN_IN_SUBPROCESS, str(coco_path)],
            cwd=REPO_ROOT, env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
            capture_output=True, text=True, check=True,
        )
        assert json.loads(result.stdout) == expected


def test_plan_depends_on_task_labels(crowd):
    assert crowd.plan(task_for("photo_001.jpg", ("cup",)), 5) != crowd.plan(task_for("photo_001.jpg", ("cup", "bowl")), 5)


def test_plan_distinct_workers(crowd):
    for file_name in sorted(crowd.known_images):
        worker_ids = [planned.worker_id for planned in crowd.plan(task_for(file_name), 5)]

        assert len(worker_ids) == 5
        assert len(set(worker_ids)) == 5


def test_plan_more_slots_than_workers(known_images):
    small = Crowd(3, known_images, pool_size=4)

    plans = small.plan(task_for("photo_001.jpg"), 10)

    assert sorted(planned.worker_id for planned in plans) == sorted(worker.worker_id for worker in small.workers)


def test_plan_zero_slots(crowd):
    assert crowd.plan(task_for("photo_001.jpg"), 0) == []


def test_plan_negative_slots_rejected(crowd):
    with pytest.raises(ValueError) as error:
        crowd.plan(task_for("photo_001.jpg"), -1)

    assert str(error.value) == "slots must be a non-negative number of assignments, like 3; got -1"


def test_plan_unknown_image_rejected(crowd):
    with pytest.raises(ValueError) as error:
        crowd.plan(task_for("unknown.jpg"), 3)

    assert "image 'unknown.jpg' has no known answers" in str(error.value)


def test_plan_respects_eligibility(crowd):
    def eligible(worker: WorkerProfile) -> bool:
        return worker.locale_country == "US" and worker.approval_rate_percent >= 98

    allowed = {worker.worker_id for worker in crowd.workers if eligible(worker)}
    assert len(allowed) >= 5, "the pool should hold enough US workers with 98% approval for this test"

    for file_name in sorted(crowd.known_images):
        plans = crowd.plan(task_for(file_name), 5, eligible=eligible)

        assert len(plans) == 5
        assert {planned.worker_id for planned in plans} <= allowed


def test_plan_nobody_eligible(crowd):
    assert crowd.plan(task_for("photo_001.jpg"), 3, eligible=lambda worker: False) == []


def test_worker_answer_independent_of_others(crowd):
    task = task_for("photo_005.jpg")
    everyone = {planned.worker_id: planned for planned in crowd.plan(task, 60)}

    for worker in crowd.workers[:10]:
        (alone,) = crowd.plan(task, 1, eligible=lambda candidate, target=worker: candidate is target)

        assert alone == everyone[worker.worker_id]


def test_plan_sorted_by_accept_delay(crowd):
    delays = [planned.accept_delay_seconds for planned in crowd.plan(task_for("photo_006.jpg"), 10)]

    assert delays == sorted(delays)


# ---------------------------------------------------------------------------
# plan(): the posted fields


def test_fields_names_and_order(crowd):
    for file_name in sorted(crowd.known_images):
        for planned in crowd.plan(task_for(file_name), 5):
            assert tuple(name for name, _ in planned.fields) == FIELD_NAMES


def test_fields_image_size(crowd, known_images):
    for file_name, image in known_images.items():
        for planned in crowd.plan(task_for(file_name), 3):
            fields = dict(planned.fields)

            assert fields["image_width"] == str(image.width)
            assert fields["image_height"] == str(image.height)


def test_annotation_data_is_compact_json(crowd):
    for file_name in sorted(crowd.known_images):
        for planned in crowd.plan(task_for(file_name), 5):
            text = dict(planned.fields)["annotation_data"]
            boxes = json.loads(text)

            assert isinstance(boxes, list)
            assert json.dumps(boxes, separators=(",", ":"), ensure_ascii=False) == text
            for box in boxes:
                assert list(box) == BOX_KEYS
                for key in BOX_KEYS[:4]:
                    assert type(box[key]) is int


def test_boxes_inside_image(crowd, known_images):
    for file_name, image in known_images.items():
        for planned in crowd.plan(task_for(file_name), 60):
            for box in boxes_of(planned):
                assert box["left"] >= 0
                assert box["top"] >= 0
                assert box["width"] >= 1
                assert box["height"] >= 1
                assert box["left"] + box["width"] <= image.width
                assert box["top"] + box["height"] <= image.height


def test_labels_only_requested(crowd):
    for file_name in sorted(crowd.known_images):
        for labels in [("cup",), ("spoon", "bowl"), LABELS]:
            for planned in crowd.plan(task_for(file_name, labels), 10):
                for box in boxes_of(planned):
                    assert box["label"] in labels


def test_labels_use_task_spelling(crowd, known_images):
    cup_images = [name for name, image in known_images.items() if any(o.label == "cup" for o in image.objects)]
    drawn_labels = set()

    for file_name in cup_images:
        for planned in crowd.plan(task_for(file_name, ("Cup",)), 10):
            drawn_labels.update(box["label"] for box in boxes_of(planned))

    assert drawn_labels == {"Cup"}


def test_looking_worker_ignores_other_labels(crowd, known_images):
    careful = workers_of_kind(crowd, "careful")[0]
    for file_name, image in known_images.items():
        (planned,) = crowd.plan(task_for(file_name, ("bowl",)), 1, eligible=lambda worker: worker is careful)
        bowls = [known_object for known_object in image.objects if known_object.label == "bowl"]

        # A worker who looks at the image draws at most one box and one false
        # box per true object, so it never draws more than twice the bowls.
        assert len(boxes_of(planned)) <= 2 * len(bowls)


def test_comments_mostly_empty(crowd):
    comments = [
        dict(planned.fields)["comments"]
        for file_name in sorted(crowd.known_images)
        for planned in crowd.plan(task_for(file_name), 10)
    ]

    assert sum(comment == "" for comment in comments) > 0.8 * len(comments)
    assert any(comment != "" for comment in comments)


def test_fields_build_answer_xml(crowd):
    (planned,) = crowd.plan(task_for("photo_007.jpg"), 1)

    answers = xmltodict.parse(question_form_answers_xml(planned.fields))["QuestionFormAnswers"]["Answer"]

    assert [item["QuestionIdentifier"] for item in answers] == list(FIELD_NAMES)
    assert json.loads(answers[0]["FreeText"]) == boxes_of(planned)


def test_times_positive(crowd):
    for planned in crowd.plan(task_for("photo_008.jpg"), 60):
        assert planned.accept_delay_seconds >= 0
        assert planned.work_seconds > 0


# ---------------------------------------------------------------------------
# plan(): answer quality by worker kind


def mean_iou_for_worker(crowd: Crowd, known_images, worker: WorkerProfile) -> float:
    scores = []
    for file_name, image in known_images.items():
        (planned,) = crowd.plan(task_for(file_name), 1, eligible=lambda candidate: candidate is worker)
        scores.append(mean_iou_with_truth(planned, image))
    return statistics.mean(scores)


def test_good_workers_mean_iou_above_0_7(crowd, known_images):
    for kind in GOOD_KINDS:
        per_worker = [mean_iou_for_worker(crowd, known_images, worker) for worker in workers_of_kind(crowd, kind)]

        assert statistics.mean(per_worker) > 0.7, f"{kind} workers' mean IoU is {statistics.mean(per_worker):.3f}"


def test_careful_worker_boxes_tight(crowd, known_images):
    careful = workers_of_kind(crowd, "careful")

    per_worker = [mean_iou_for_worker(crowd, known_images, worker) for worker in careful]

    assert min(per_worker) > 0.8


def test_spammers_mean_iou_below_0_3(crowd, known_images):
    for kind in ("spammer", "automated"):
        per_worker = [mean_iou_for_worker(crowd, known_images, worker) for worker in workers_of_kind(crowd, kind)]

        assert statistics.mean(per_worker) < 0.3, f"{kind} workers' mean IoU is {statistics.mean(per_worker):.3f}"


def test_series_sees_a_mix(crowd):
    kinds_per_hit = [
        [crowd.worker(planned.worker_id).kind for planned in crowd.plan(task_for(file_name), 5)]
        for file_name in sorted(crowd.known_images)
    ]
    all_kinds = [kind for kinds in kinds_per_hit for kind in kinds]

    good_share = sum(kind in GOOD_KINDS for kind in all_kinds) / len(all_kinds)
    assert good_share > 0.5
    assert any(kind in ("spammer", "automated") for kind in all_kinds)
    assert any(all(kind in GOOD_KINDS for kind in kinds) for kinds in kinds_per_hit)


# ---------------------------------------------------------------------------
# The project's known answers, once they are in the repository


@pytest.mark.skipif(not REAL_KNOWN_ANSWERS.exists(), reason="images/known_answers.json is not in the repository yet")
def test_real_known_answers_planned():
    known = load_known_answers(REAL_KNOWN_ANSWERS)
    real_crowd = Crowd(2017, known)

    for file_name, image in known.items():
        labels = ", ".join(sorted({known_object.label for known_object in image.objects})) or "cup"
        task = real_crowd.recognise(html_question(bbox_page(IMAGE_BASE_URL + file_name, labels)))
        assert task is not None, f"{file_name} was not recognised"

        for planned in real_crowd.plan(task, 5):
            for box in boxes_of(planned):
                assert box["label"] in task.labels
                assert box["left"] + box["width"] <= image.width
                assert box["top"] + box["height"] <= image.height
