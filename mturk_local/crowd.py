"""A seeded crowd of simulated MTurk workers that draw bounding boxes.

The backend asks the crowd to ``recognise`` each new HIT's question. A
recognised task is the project's bounding-box template (an HTMLQuestion whose
page contains ``<div id="bbox-task" data-image-url=... data-labels=...>``) on
an image whose true boxes were loaded from the known answers. Every other
question waits for a person. For a recognised task, ``plan`` picks distinct
workers and returns, for each, when they accept, how long they work and the
form fields their browser would post.

Worker model
------------
The pool (60 workers by default) mixes five kinds of worker. The shares are
assumptions of this simulator, chosen so that a HIT with 3 to 5 assignments
usually gets mostly good work and sometimes a bad answer:

* ``careful`` (20%): small boundary noise, few misses, slow.
* ``typical`` (50%): the reference worker. It misses about 10% of the objects
  and adds a false box for about 10% of the objects it draws, the starting
  point of the worker model of Branson, Van Horn and Perona ("Lean
  Crowdsourcing", CVPR 2017).
* ``sloppy`` (15%): fast and noisy, often misses objects.
* ``spammer`` (8%): ignores the image. It submits one box over the whole
  image or a few random boxes.
* ``automated`` (7%): a script or language-model agent. Its boxes have
  plausible sizes and labels but ignore the image content. Veselovsky, Horta
  Ribeiro and West ("Artificial Artificial Artificial Intelligence", 2023)
  estimated that 33-46% of MTurk workers on a text summarization task used
  language models. How often that happens on image tasks is unknown, so the
  7% share here is a guess.

A worker who looks at the image draws each true object of a requested label
with probability ``1 - miss_probability``. The drawn box keeps the true box's
centre up to a Gaussian shift and scales its width and height by a bias and a
Gaussian factor, all relative to the true box's size. Synthetic annotators for
crowdsourced object detection are built the same way, with per-annotator
translation and scale errors relative to box size (Tan et al., "Bayesian
Detector Combination for Object Detection with Crowdsourced Annotations",
ECCV 2024). For box size (w, h) and centre (cx, cy)::

    cx' = cx + N(0, translation_noise_fraction * w)     (cy' likewise with h)
    w'  = w * (1 + size_bias_fraction) * exp(N(0, scale_noise_fraction))

Boxes are rounded to whole pixels and clipped to the image. With these
settings the IoU of a drawn box with its true box lies, from the 10th to the
90th percentile, between about 0.87 and 0.96 for careful workers, 0.76 and
0.91 for typical ones and 0.58 and 0.83 for sloppy ones. These are estimates
from sampling this model with seed 2017 on 200 random images, not
measurements of people.

Time: drawing one box costs ``seconds_per_box`` on average. Papadopoulos et
al. ("Extreme clicking for efficient object annotation", ICCV 2017) report
about 35 s per high-quality box for ILSVRC (from Su, Deng and Fei-Fei, 2012,
including quality checks) and 7 s per box with extreme clicking. Careful
workers here take 25 to 40 s per box and the fastest sloppy ones about 7 s.

Determinism: every random draw comes from ``random.Random`` seeded with a
SHA-256 hash of the crowd's seed, the task's content and the worker id. No
HIT id, clock reading, global random state or Python ``hash()`` is involved,
so the same seed and task always give the same answers, and a worker's answer
does not depend on which other workers were chosen.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import urllib.parse
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

from .known_answers import KnownImage, KnownObject

__all__ = [
    "DEFAULT_POOL_SIZE",
    "TASK_KIND_BBOX_TEMPLATE",
    "WORKER_KINDS",
    "Crowd",
    "PlannedAssignment",
    "Task",
    "WorkerProfile",
]

logger = logging.getLogger(__name__)

DEFAULT_POOL_SIZE = 60
TASK_KIND_BBOX_TEMPLATE = "bbox-template"
BBOX_TASK_ELEMENT_ID = "bbox-task"

# Share of each worker kind in the pool. The shares are assumptions of this
# simulator, not measurements.
WORKER_KIND_SHARES: dict[str, float] = {
    "careful": 0.20,
    "typical": 0.50,
    "sloppy": 0.15,
    "spammer": 0.08,
    "automated": 0.07,
}
WORKER_KINDS: tuple[str, ...] = tuple(WORKER_KIND_SHARES)
KINDS_THAT_IGNORE_THE_IMAGE = frozenset({"spammer", "automated"})

# Locale shares of the simulated pool (ISO 3166-1 alpha-2 country codes). They
# are an assumption that keeps most workers in the US and a large minority in
# India, not a measurement.
LOCALE_COUNTRY_SHARES: dict[str, float] = {
    "US": 0.72, "IN": 0.14, "CA": 0.03, "GB": 0.03, "DE": 0.02, "PH": 0.02, "BR": 0.02, "FR": 0.02,
}
US_SUBDIVISIONS = ("CA", "TX", "FL", "NY", "PA", "OH", "IL", "GA", "NC", "MI")

WORKER_ID_LENGTH_AFTER_A = 13
_BASE36_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_MIN_WORK_SECONDS = 2.0

_HUMAN_COMMENTS = (
    "Some objects were partly hidden, so I boxed the visible part.",
    "The edges were hard to see in a few places.",
    "The image took a while to load.",
    "Not sure whether the small ones in the background count.",
    "Thanks, nice task!",
    "I hope the boxes are tight enough.",
)
_EMPTY_IMAGE_COMMENT = "I could not find any of the requested objects in this image."
_AUTOMATED_COMMENTS = (
    "I have carefully annotated all requested objects in the image with accurate bounding boxes.",
    "Task completed. All relevant objects have been identified and labeled as instructed.",
)


@dataclass(frozen=True)
class Task:
    """A task the crowd can work on.

    ``kind`` is ``"bbox-template"``, ``image_file`` the image's file name in
    the known answers, and ``labels`` the requested labels in the order the
    page lists them, as the page spells them.
    """

    kind: str
    image_file: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class WorkerProfile:
    """One simulated worker: error model, timing and qualification values.

    Box-error fields are fractions of the true box's width (for x) or height
    (for y). They are 0 for ``spammer`` and ``automated`` workers, who never
    look at the objects.
    """

    worker_id: str
    kind: str
    # Standard deviation of the box centre's shift, as a fraction of the true
    # box's width (x) and height (y).
    translation_noise_fraction: float
    # Standard deviation of the natural log of the width and height scale
    # factors. For small values it is about the relative size error.
    scale_noise_fraction: float
    # Mean relative change of width and height: below 0 the worker draws
    # tight boxes, above 0 loose ones.
    size_bias_fraction: float
    # Probability of not drawing a true object of a requested label.
    miss_probability: float
    # Probability, for each true object drawn, of also drawing one false box
    # (a duplicate of that object or a box on background).
    false_box_probability: float
    # Probability that a box gets another requested label (needs 2 or more).
    label_error_probability: float
    # Drawing style of a worker who ignores the image: "whole-image" or
    # "random-boxes" for spammers, "plausible-boxes" for automated workers,
    # and "" for workers who look at the image.
    spam_style: str
    # Mean seconds to draw one box, and to load, read and submit the page.
    seconds_per_box: float
    overhead_seconds: float
    # Mean seconds from a HIT's creation until this worker accepts it
    # (exponentially distributed).
    accept_delay_mean_seconds: float
    # Probability of typing something in the comments field.
    comment_probability: float
    # Relative rate of taking HITs (unitless; about 1 on average).
    activity_weight: float
    # Qualification values that MTurk's system qualifications test:
    # Worker_Locale (ISO 3166-1 alpha-2 country, ISO 3166-2 subdivision code
    # without the country or ""), Worker_PercentAssignmentsApproved (0-100),
    # Worker_NumberHITsApproved, Masters and Worker_Adult.
    locale_country: str
    locale_subdivision: str
    approval_rate_percent: int
    approved_hit_count: int
    masters: bool
    adult: bool

    @property
    def ignores_image(self) -> bool:
        """True for spammers and automated workers, whose boxes ignore the image."""
        return self.kind in KINDS_THAT_IGNORE_THE_IMAGE


@dataclass(frozen=True)
class PlannedAssignment:
    """One simulated worker's work on a HIT.

    The worker accepts ``accept_delay_seconds`` after the HIT's creation,
    submits ``work_seconds`` after accepting, and posts ``fields``, the
    ``(name, value)`` form fields in submit order.
    """

    worker_id: str
    accept_delay_seconds: float
    work_seconds: float
    fields: tuple[tuple[str, str], ...]


# ---------------------------------------------------------------------------
# Seeded randomness


def _stable_rng(*parts: object) -> random.Random:
    """Return a ``random.Random`` seeded by a SHA-256 hash of ``parts``.

    ``parts`` must be JSON-serialisable. Unlike Python's ``hash()`` of a
    string, the hash is the same in every process.
    """
    key = json.dumps(parts, separators=(",", ":"), ensure_ascii=True)
    digest = hashlib.sha256(key.encode("ascii")).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def _task_key(task: Task) -> list[object]:
    return [task.kind, task.image_file, list(task.labels)]


def _worker_id(seed: int, index: int, attempt: int) -> str:
    """Derive an MTurk-style worker id: ``A`` and 13 characters of [0-9A-Z]."""
    digest = hashlib.sha256(f"mturk_local.crowd/worker/{seed}/{index}/{attempt}".encode("ascii")).digest()
    number = int.from_bytes(digest, "big")
    characters = []
    for _ in range(WORKER_ID_LENGTH_AFTER_A):
        number, remainder = divmod(number, 36)
        characters.append(_BASE36_DIGITS[remainder])
    return "A" + "".join(characters)


def _weighted_choice(rng: random.Random, shares: Mapping[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _log_uniform_int(rng: random.Random, low: int, high: int) -> int:
    return int(round(math.exp(rng.uniform(math.log(low), math.log(high)))))


# ---------------------------------------------------------------------------
# The worker pool


def _kind_counts(pool_size: int) -> dict[str, int]:
    """Split ``pool_size`` among the kinds by ``WORKER_KIND_SHARES`` (largest remainder)."""
    exact = {kind: share * pool_size for kind, share in WORKER_KIND_SHARES.items()}
    counts = {kind: int(math.floor(value)) for kind, value in exact.items()}
    left_over = pool_size - sum(counts.values())
    by_remainder = sorted(exact, key=lambda kind: (-(exact[kind] - counts[kind]), WORKER_KINDS.index(kind)))
    for kind in by_remainder[:left_over]:
        counts[kind] += 1
    return counts


def _make_profile(rng: random.Random, worker_id: str, kind: str) -> WorkerProfile:
    """Draw one worker's parameters from the ranges of its kind."""
    uniform = rng.uniform
    if kind == "careful":
        geometry = (uniform(0.015, 0.03), uniform(0.02, 0.04), uniform(-0.02, 0.03))
        errors = (uniform(0.01, 0.04), uniform(0.0, 0.03), uniform(0.0, 0.01))
        spam_style = ""
        timing = (uniform(25.0, 40.0), uniform(15.0, 40.0), uniform(120.0, 900.0))
        comment_probability = uniform(0.05, 0.12)
        approval_rate_percent = rng.randint(98, 100)
        approved_hit_count = _log_uniform_int(rng, 1_000, 100_000)
        masters = rng.random() < 0.4
    elif kind == "typical":
        geometry = (uniform(0.03, 0.055), uniform(0.035, 0.065), uniform(-0.04, 0.08))
        errors = (uniform(0.06, 0.14), uniform(0.06, 0.14), uniform(0.01, 0.05))
        spam_style = ""
        timing = (uniform(12.0, 30.0), uniform(10.0, 30.0), uniform(60.0, 600.0))
        comment_probability = uniform(0.03, 0.08)
        approval_rate_percent = rng.randint(95, 100)
        approved_hit_count = _log_uniform_int(rng, 100, 50_000)
        masters = rng.random() < 0.08
    elif kind == "sloppy":
        geometry = (uniform(0.06, 0.1), uniform(0.07, 0.12), uniform(-0.12, 0.2))
        errors = (uniform(0.15, 0.35), uniform(0.1, 0.3), uniform(0.05, 0.15))
        spam_style = ""
        timing = (uniform(7.0, 12.0), uniform(5.0, 15.0), uniform(30.0, 300.0))
        comment_probability = uniform(0.0, 0.04)
        approval_rate_percent = rng.randint(90, 99)
        approved_hit_count = _log_uniform_int(rng, 20, 5_000)
        masters = False
    elif kind == "spammer":
        geometry = (0.0, 0.0, 0.0)
        errors = (0.0, 0.0, 0.0)
        spam_style = rng.choice(("whole-image", "random-boxes"))
        timing = (uniform(1.0, 3.0), uniform(2.0, 8.0), uniform(10.0, 120.0))
        comment_probability = uniform(0.0, 0.03)
        # Approval rates stay high: requesters rarely reject, so a rate
        # filter alone does not keep spammers out.
        approval_rate_percent = rng.randint(88, 100)
        approved_hit_count = _log_uniform_int(rng, 5, 3_000)
        masters = False
    elif kind == "automated":
        geometry = (0.0, 0.0, 0.0)
        errors = (0.0, 0.0, 0.0)
        spam_style = "plausible-boxes"
        # Paced like a typical person so that timing alone does not give it away.
        timing = (uniform(10.0, 25.0), uniform(10.0, 30.0), uniform(30.0, 300.0))
        comment_probability = uniform(0.2, 0.4)
        approval_rate_percent = rng.randint(97, 100)
        approved_hit_count = _log_uniform_int(rng, 500, 20_000)
        masters = False
    else:
        raise ValueError(f"unknown worker kind {kind!r}; expected one of {', '.join(WORKER_KINDS)}")

    activity_weight = uniform(0.5, 1.5)
    locale_country = _weighted_choice(rng, LOCALE_COUNTRY_SHARES)
    locale_subdivision = rng.choice(US_SUBDIVISIONS) if locale_country == "US" else ""
    adult = rng.random() < 0.6

    translation, scale, bias = geometry
    miss, false_box, label_error = errors
    seconds_per_box, overhead, accept_delay = timing
    return WorkerProfile(
        worker_id=worker_id,
        kind=kind,
        translation_noise_fraction=round(translation, 4),
        scale_noise_fraction=round(scale, 4),
        size_bias_fraction=round(bias, 4),
        miss_probability=round(miss, 4),
        false_box_probability=round(false_box, 4),
        label_error_probability=round(label_error, 4),
        spam_style=spam_style,
        seconds_per_box=round(seconds_per_box, 2),
        overhead_seconds=round(overhead, 2),
        accept_delay_mean_seconds=round(accept_delay, 1),
        comment_probability=round(comment_probability, 4),
        activity_weight=round(activity_weight, 4),
        locale_country=locale_country,
        locale_subdivision=locale_subdivision,
        approval_rate_percent=approval_rate_percent,
        approved_hit_count=approved_hit_count,
        masters=masters,
        adult=adult,
    )


def _make_pool(seed: int, pool_size: int) -> tuple[WorkerProfile, ...]:
    rng = _stable_rng("mturk_local.crowd/pool", seed, pool_size)
    kinds = [kind for kind, count in _kind_counts(pool_size).items() for _ in range(count)]
    rng.shuffle(kinds)

    workers = []
    used_ids: set[str] = set()
    for index, kind in enumerate(kinds):
        attempt = 0
        worker_id = _worker_id(seed, index, attempt)
        while worker_id in used_ids:
            attempt += 1
            worker_id = _worker_id(seed, index, attempt)
        used_ids.add(worker_id)
        workers.append(_make_profile(rng, worker_id, kind))
    return tuple(workers)


# ---------------------------------------------------------------------------
# Recognising the bounding-box template


class _BboxMarkerFinder(HTMLParser):
    """Collect the attributes of every ``<div id="bbox-task">`` in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.markers: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "div":
            return
        attributes = {name: value or "" for name, value in attrs}
        if attributes.get("id") == BBOX_TASK_ELEMENT_ID:
            self.markers.append(attributes)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _local_name(tag: str) -> str:
    """Strip an ElementTree ``{namespace}`` prefix from a tag."""
    return tag.rpartition("}")[2]


def _html_question_content(question_xml: str) -> str | None:
    """Return the HTML inside an HTMLQuestion, or None for any other question."""
    # A HIT question has no use for entity declarations, so rejecting them
    # rules out entity-expansion attacks before the XML parser runs.
    if "<!ENTITY" in question_xml:
        logger.debug("question contains an entity declaration; not a crowd task")
        return None
    root = ElementTree.fromstring(question_xml)
    if _local_name(root.tag) != "HTMLQuestion":
        logger.debug("question root is %s, not HTMLQuestion; not a crowd task", _local_name(root.tag))
        return None
    for child in root:
        if _local_name(child.tag) == "HTMLContent":
            return child.text or ""
    logger.debug("HTMLQuestion has no HTMLContent; not a crowd task")
    return None


def _image_file_from_url(image_url: str) -> str:
    """Return the last path segment of ``image_url``, percent-decoded."""
    path = urllib.parse.urlsplit(image_url.strip()).path
    return urllib.parse.unquote(path.rsplit("/", 1)[-1])


def _parse_labels(labels_text: str) -> tuple[str, ...]:
    """Split ``"cup, spoon"`` into labels as the template's script does.

    Each part is stripped of surrounding whitespace, and blanks and exact
    repeats are dropped, so the task lists the labels a worker can pick.
    """
    labels: list[str] = []
    for part in labels_text.split(","):
        label = part.strip()
        if label and label not in labels:
            labels.append(label)
    return tuple(labels)


# ---------------------------------------------------------------------------
# Drawing boxes


def _to_pixel_box(x1: float, y1: float, x2: float, y2: float,
                  image: KnownImage) -> tuple[int, int, int, int]:
    """Round a box to whole pixels inside the image, at least 1 pixel wide and high.

    Returns ``(left, top, width, height)``.
    """
    left = min(max(int(round(min(x1, x2))), 0), image.width - 1)
    top = min(max(int(round(min(y1, y2))), 0), image.height - 1)
    right = min(max(int(round(max(x1, x2))), left + 1), image.width)
    bottom = min(max(int(round(max(y1, y2))), top + 1), image.height)
    return (left, top, right - left, bottom - top)


def _noisy_box(rng: random.Random, bbox_xywh: tuple[float, float, float, float],
               worker: WorkerProfile, image: KnownImage,
               noise_multiplier: float = 1.0) -> tuple[int, int, int, int]:
    """Draw a worker's version of a true box (see the module docstring)."""
    x, y, width, height = bbox_xywh
    translation = worker.translation_noise_fraction * noise_multiplier
    scale = worker.scale_noise_fraction * noise_multiplier
    centre_x = x + width / 2 + rng.gauss(0.0, translation * width)
    centre_y = y + height / 2 + rng.gauss(0.0, translation * height)
    drawn_width = width * (1 + worker.size_bias_fraction) * math.exp(rng.gauss(0.0, scale))
    drawn_height = height * (1 + worker.size_bias_fraction) * math.exp(rng.gauss(0.0, scale))
    return _to_pixel_box(centre_x - drawn_width / 2, centre_y - drawn_height / 2,
                         centre_x + drawn_width / 2, centre_y + drawn_height / 2, image)


def _background_box(rng: random.Random, like: tuple[float, float, float, float],
                    image: KnownImage) -> tuple[int, int, int, int]:
    """Draw a false box about the size of ``like`` at a random place in the image."""
    width = min(like[2] * rng.uniform(0.5, 1.5), image.width)
    height = min(like[3] * rng.uniform(0.5, 1.5), image.height)
    left = rng.uniform(0.0, image.width - width)
    top = rng.uniform(0.0, image.height - height)
    return _to_pixel_box(left, top, left + width, top + height, image)


def _random_box(rng: random.Random, image: KnownImage) -> tuple[int, int, int, int]:
    """Draw a box with corners anywhere in the image."""
    x1, x2 = rng.uniform(0, image.width), rng.uniform(0, image.width)
    y1, y2 = rng.uniform(0, image.height), rng.uniform(0, image.height)
    return _to_pixel_box(x1, y1, x2, y2, image)


def _plausible_box(rng: random.Random, image: KnownImage) -> tuple[int, int, int, int]:
    """Draw an object-sized box (15-45% of the image width) anywhere in the image."""
    width = image.width * rng.uniform(0.15, 0.45)
    height = min(width / rng.uniform(0.6, 1.6), image.height * 0.9)
    left = rng.uniform(0.0, image.width - width)
    top = rng.uniform(0.0, image.height - height)
    return _to_pixel_box(left, top, left + width, top + height, image)


def _other_label(rng: random.Random, label: str, labels: tuple[str, ...]) -> str:
    others = [candidate for candidate in labels if candidate != label]
    return rng.choice(others) if others else label


def _boxes_of_a_looking_worker(rng: random.Random, worker: WorkerProfile, image: KnownImage,
                               truth: list[tuple[KnownObject, str]],
                               labels: tuple[str, ...]) -> list[tuple[int, int, int, int, str]]:
    """Draw the true objects with the worker's noise, misses, false boxes and label mistakes."""
    boxes: list[tuple[int, int, int, int, str]] = []
    for known_object, label in truth:
        if rng.random() < worker.miss_probability:
            continue
        boxes.append((*_noisy_box(rng, known_object.bbox_xywh, worker, image), label))
        if rng.random() < worker.false_box_probability:
            if rng.random() < 0.5:
                # The same object drawn twice, less carefully the second time.
                false_box = _noisy_box(rng, known_object.bbox_xywh, worker, image, noise_multiplier=2.0)
            else:
                false_box = _background_box(rng, known_object.bbox_xywh, image)
            boxes.append((*false_box, rng.choice(labels)))

    relabelled = []
    for left, top, width, height, label in boxes:
        if len(labels) > 1 and rng.random() < worker.label_error_probability:
            label = _other_label(rng, label, labels)
        relabelled.append((left, top, width, height, label))
    return relabelled


def _boxes_that_ignore_the_image(rng: random.Random, worker: WorkerProfile, image: KnownImage,
                                 labels: tuple[str, ...]) -> list[tuple[int, int, int, int, str]]:
    """Draw a spammer's or automated worker's boxes, which depend only on the image size."""
    if worker.spam_style == "whole-image":
        return [(0, 0, image.width, image.height, rng.choice(labels))]
    if worker.spam_style == "random-boxes":
        return [(*_random_box(rng, image), rng.choice(labels)) for _ in range(rng.randint(1, 4))]
    return [(*_plausible_box(rng, image), rng.choice(labels)) for _ in range(rng.randint(1, 3))]


def _comment(rng: random.Random, worker: WorkerProfile, box_count: int) -> str:
    if rng.random() >= worker.comment_probability:
        return ""
    if worker.kind == "automated":
        return rng.choice(_AUTOMATED_COMMENTS)
    if worker.kind == "spammer":
        return rng.choice(("done", "ok", "good"))
    if box_count == 0:
        return _EMPTY_IMAGE_COMMENT
    return rng.choice(_HUMAN_COMMENTS)


def _annotation_json(boxes: list[tuple[int, int, int, int, str]]) -> str:
    """Serialise boxes as the template's compact ``annotation_data`` JSON array."""
    records = [
        {"left": left, "top": top, "width": width, "height": height, "label": label}
        for left, top, width, height, label in boxes
    ]
    return json.dumps(records, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------------
# The crowd


class Crowd:
    """A seeded pool of simulated workers (see the module docstring).

    ``known_images`` maps image file names to their true boxes, as returned
    by ``load_known_answers``. ``workers`` is the pool, in a fixed order.
    """

    def __init__(self, seed: int, known_images: Mapping[str, KnownImage],
                 pool_size: int = DEFAULT_POOL_SIZE) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"seed must be an integer, like 2017; got {seed!r}")
        if not isinstance(pool_size, int) or isinstance(pool_size, bool) or pool_size < 1:
            raise ValueError(f"pool_size must be a positive number of workers, like 60; got {pool_size!r}")
        self.seed = seed
        self.known_images: Mapping[str, KnownImage] = known_images
        self.workers: tuple[WorkerProfile, ...] = _make_pool(seed, pool_size)
        self._workers_by_id = {worker.worker_id: worker for worker in self.workers}
        logger.debug("crowd of %d workers ready (seed %d, %d known images)",
                     pool_size, seed, len(known_images))

    def worker(self, worker_id: str) -> WorkerProfile:
        """Return the profile of ``worker_id``, or raise ``KeyError`` if it is not in the pool."""
        try:
            return self._workers_by_id[worker_id]
        except KeyError:
            raise KeyError(f"worker {worker_id!r} is not in the simulated crowd") from None

    def recognise(self, question_xml: str) -> Task | None:
        """Return the task in a HIT question, or None when no simulated worker can do it.

        Recognised: an HTMLQuestion whose HTML contains exactly one
        ``<div id="bbox-task" data-image-url="..." data-labels="a, b">`` with
        at least one label, where the last path segment of the image URL is
        an image in the known answers. Anything else, including malformed
        XML, returns None and is logged at debug level.

        NOTE: ``<crowd-bounding-box>`` forms and pages with an
        ``annotation_data`` field but no ``bbox-task`` marker are not
        recognised yet, so those HITs wait for a person.
        """
        if not isinstance(question_xml, str):
            logger.debug("question is a %s, not a str; not a crowd task", type(question_xml).__name__)
            return None
        # The question comes from an API caller, so no input may raise here:
        # a parser failure of any kind only means no simulated worker takes
        # the HIT.
        try:
            return self._recognise(question_xml)
        except Exception:  # noqa: BLE001
            logger.debug("question could not be parsed; not a crowd task", exc_info=True)
            return None

    def _recognise(self, question_xml: str) -> Task | None:
        html = _html_question_content(question_xml)
        if html is None:
            return None

        finder = _BboxMarkerFinder()
        finder.feed(html)
        finder.close()
        if len(finder.markers) != 1:
            logger.debug("HTML has %d bbox-task markers, expected exactly 1; not a crowd task",
                         len(finder.markers))
            return None
        marker = finder.markers[0]

        image_file = _image_file_from_url(marker.get("data-image-url", ""))
        labels = _parse_labels(marker.get("data-labels", ""))
        if not labels:
            logger.debug("bbox-task marker lists no labels; not a crowd task")
            return None
        if image_file not in self.known_images:
            logger.debug("image %r has no known answers; the HIT waits for a person", image_file)
            return None
        return Task(kind=TASK_KIND_BBOX_TEMPLATE, image_file=image_file, labels=labels)

    def plan(self, task: Task, slots: int,
             eligible: Callable[[WorkerProfile], bool] | None = None) -> list[PlannedAssignment]:
        """Choose up to ``slots`` distinct eligible workers and plan their work.

        Workers are ranked per task by a seeded weighted draw (weights are
        ``activity_weight``), and the first ``slots`` workers that
        ``eligible`` accepts are taken. ``eligible=None`` admits everyone.
        Fewer than ``slots`` are returned when not enough workers qualify.
        The result is sorted by ``accept_delay_seconds``.

        Each plan's ``fields`` are what the bounding-box template posts, in
        order: ``annotation_data`` (compact JSON array of
        ``{"left","top","width","height","label"}`` integers in the image's
        natural pixels), ``image_width``, ``image_height`` and ``comments``.
        Only objects whose label matches a requested label (ignoring case)
        are drawn, labelled as the task spells it.

        Raises ``ValueError`` for a task kind other than ``"bbox-template"``,
        an image without known answers, no labels, or a negative ``slots``.
        """
        self._check_task(task)
        if not isinstance(slots, int) or isinstance(slots, bool) or slots < 0:
            raise ValueError(f"slots must be a non-negative number of assignments, like 3; got {slots!r}")

        chosen = self._choose_workers(task, slots, eligible)
        plans = [self._plan_one(task, worker) for worker in chosen]
        plans.sort(key=lambda planned: (planned.accept_delay_seconds, planned.worker_id))
        return plans

    def _check_task(self, task: Task) -> None:
        if task.kind != TASK_KIND_BBOX_TEMPLATE:
            raise ValueError(f"task kind {task.kind!r} is not supported; expected {TASK_KIND_BBOX_TEMPLATE!r}")
        if task.image_file not in self.known_images:
            raise ValueError(
                f"image {task.image_file!r} has no known answers; only tasks returned by recognise() can be planned"
            )
        if not task.labels:
            raise ValueError("task has no labels; a bounding-box task needs at least one requested label")

    def _choose_workers(self, task: Task, slots: int,
                        eligible: Callable[[WorkerProfile], bool] | None) -> list[WorkerProfile]:
        """Rank the pool for this task and take the first ``slots`` eligible workers.

        Each worker's key is ``u ** (1 / activity_weight)`` with ``u`` uniform
        in [0, 1) from a per-task, per-worker stream. Sorting by this key in
        descending order is a standard way to draw a weighted sample without
        replacement.
        """
        def key(worker: WorkerProfile) -> float:
            u = _stable_rng("mturk_local.crowd/rank", self.seed, _task_key(task), worker.worker_id).random()
            return u ** (1.0 / worker.activity_weight)

        ranked = sorted(self.workers, key=key, reverse=True)
        chosen: list[WorkerProfile] = []
        for worker in ranked:
            if len(chosen) == slots:
                break
            if eligible is None or eligible(worker):
                chosen.append(worker)
        return chosen

    def _plan_one(self, task: Task, worker: WorkerProfile) -> PlannedAssignment:
        rng = _stable_rng("mturk_local.crowd/work", self.seed, _task_key(task), worker.worker_id)
        image = self.known_images[task.image_file]

        if worker.ignores_image:
            boxes = _boxes_that_ignore_the_image(rng, worker, image, task.labels)
        else:
            # A requested label matches a true object's category ignoring
            # case, and the box gets the first matching spelling on the page.
            label_by_key: dict[str, str] = {}
            for label in task.labels:
                label_by_key.setdefault(label.casefold(), label)
            truth = [
                (known_object, label_by_key[known_object.label.casefold()])
                for known_object in image.objects
                if known_object.label.casefold() in label_by_key
            ]
            boxes = _boxes_of_a_looking_worker(rng, worker, image, truth, task.labels)

        accept_delay_seconds = rng.expovariate(1.0 / worker.accept_delay_mean_seconds)
        work_seconds = worker.overhead_seconds * rng.lognormvariate(0.0, 0.3)
        for _ in boxes:
            work_seconds += worker.seconds_per_box * rng.lognormvariate(0.0, 0.35)
        work_seconds = max(work_seconds, _MIN_WORK_SECONDS)

        fields = (
            ("annotation_data", _annotation_json(boxes)),
            ("image_width", str(image.width)),
            ("image_height", str(image.height)),
            ("comments", _comment(rng, worker, len(boxes))),
        )
        return PlannedAssignment(
            worker_id=worker.worker_id,
            accept_delay_seconds=round(accept_delay_seconds, 1),
            work_seconds=round(work_seconds, 1),
            fields=fields,
        )
