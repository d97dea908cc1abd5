"""Requester toolkit for crowdsourcing bounding boxes on MTurk with boto3.

Each module covers one concept and declares ``__all__``; this package re-exports
them so that notebooks can write ``from helpers import connect, score_boxes``.
``helpers.local`` (local-service extras) and ``helpers.series`` (the tutorial's
own batch) are imported by their module names.
"""

from . import answers, batches, connection, consensus, costs, exports, geometry, metrics, plotting, progress, questions
from .answers import *  # noqa: F401,F403
from .batches import *  # noqa: F401,F403
from .connection import *  # noqa: F401,F403
from .consensus import *  # noqa: F401,F403
from .costs import *  # noqa: F401,F403
from .exports import *  # noqa: F401,F403
from .geometry import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .plotting import *  # noqa: F401,F403
from .progress import *  # noqa: F401,F403
from .questions import *  # noqa: F401,F403

__all__ = [
    *answers.__all__, *batches.__all__, *connection.__all__, *consensus.__all__, *costs.__all__,
    *exports.__all__, *geometry.__all__, *metrics.__all__, *plotting.__all__, *progress.__all__,
    *questions.__all__,
]
