"""Fixtures for the mturk_local API tests: a worker site client and a HIT factory."""

from __future__ import annotations

import pytest
from mturk_test_support import WorkerSite, html_question


@pytest.fixture
def worker(mturk_server):
    site = WorkerSite(mturk_server.endpoint_url)
    yield site
    site.connection.close()


@pytest.fixture
def make_hit(mturk_client):
    """Return a function creating an HTML HIT through CreateHIT; keyword arguments override the defaults."""
    def create(**overrides) -> dict:
        params = {"MaxAssignments": 3, "LifetimeInSeconds": 3600, "AssignmentDurationInSeconds": 600,
                  "AutoApprovalDelayInSeconds": 86400, "Reward": "0.05", "Title": "Find the cat",
                  "Description": "Say whether a cat is in the picture.", "Question": html_question()}
        params.update(overrides)
        return mturk_client.create_hit(**params)["HIT"]
    return create

