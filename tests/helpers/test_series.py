"""The tutorial's own batch: created once, found again, never duplicated."""

from __future__ import annotations

from helpers import connect
from helpers import series

DAY_AND_AN_HOUR_SECONDS = 25 * 3600


def listed_hit_ids(client) -> list[str]:
    return [hit["HITId"] for page in client.get_paginator("list_hits").paginate() for hit in page["HITs"]]


def test_batch_has_one_hit_per_image(mturk_server, mturk_client):
    connection = connect(state_dir=mturk_server.state_dir)
    known = series.load_known_answers()

    hits = series.ensure_batch(connection, known)

    assert [hit["ItemId"] for hit in hits] == [image["file_name"] for image in known.images]
    assert sorted(listed_hit_ids(mturk_client)) == sorted(hit["HITId"] for hit in hits)


def test_batch_not_duplicated_after_token_expiry(mturk_server, mturk_client):
    connection = connect(state_dir=mturk_server.state_dir)
    first = series.ensure_batch(connection)

    mturk_server.admin("clock/advance", {"seconds": DAY_AND_AN_HOUR_SECONDS})
    second = series.ensure_batch(connection)

    assert [hit["HITId"] for hit in second] == [hit["HITId"] for hit in first]
    assert len(listed_hit_ids(mturk_client)) == len(first)


def test_reset_removes_local_ledger(mturk_server, mturk_client):
    connection = connect(state_dir=mturk_server.state_dir)
    series.ensure_batch(connection)
    ledger_path = mturk_server.state_dir / "ledger.json"
    assert ledger_path.exists()

    mturk_server.reset()

    assert not ledger_path.exists()
    assert len(series.ensure_batch(connection)) == len(series.load_known_answers().images)


def test_layout_registered_once(mturk_server, mturk_client):
    connection = connect(state_dir=mturk_server.state_dir)

    assert series.ensure_layout(connection) == series.ensure_layout(connection)
