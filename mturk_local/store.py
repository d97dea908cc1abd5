"""SQLite storage of the local service: one database file, WAL mode, one transaction per request.

Rows go in and come out as plain dicts keyed by column name. JSON columns
(qualification requirements, event payloads) are stored as text and decoded by
the backend. Times are epoch seconds (REAL); money is a decimal string in dollars.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path
from typing import Iterator

__all__ = ["Store", "SCHEMA_VERSION", "DATABASE_FILE_NAME"]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2
DATABASE_FILE_NAME = "mturk.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hit_types (
    hit_type_id TEXT PRIMARY KEY, hit_group_id TEXT NOT NULL, properties_key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL, description TEXT NOT NULL, keywords TEXT, reward TEXT NOT NULL,
    assignment_duration INTEGER NOT NULL, auto_approval_delay INTEGER NOT NULL,
    qualification_requirements TEXT NOT NULL, creation_time REAL NOT NULL);
CREATE TABLE IF NOT EXISTS hits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, hit_id TEXT NOT NULL UNIQUE, hit_type_id TEXT NOT NULL,
    hit_group_id TEXT NOT NULL, hit_layout_id TEXT, creation_time REAL NOT NULL, question TEXT NOT NULL,
    max_assignments INTEGER NOT NULL, expiration REAL NOT NULL, requester_annotation TEXT,
    review_status TEXT, hit_review_status TEXT NOT NULL DEFAULT 'NotReviewed',
    disposed INTEGER NOT NULL DEFAULT 0, reviewable_notified INTEGER NOT NULL DEFAULT 0,
    assignment_review_policy TEXT, hit_review_policy TEXT);
CREATE TABLE IF NOT EXISTS assignments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, assignment_id TEXT NOT NULL UNIQUE, hit_id TEXT NOT NULL,
    worker_id TEXT NOT NULL, status TEXT NOT NULL, accept_time REAL NOT NULL, deadline REAL NOT NULL,
    submit_time REAL, submit_seq INTEGER, auto_approval_time REAL, approval_time REAL,
    rejection_time REAL, answer TEXT, requester_feedback TEXT, origin TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS assignments_by_hit ON assignments (hit_id, submit_seq);
CREATE TABLE IF NOT EXISTS bonuses (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, worker_id TEXT NOT NULL, assignment_id TEXT NOT NULL,
    hit_id TEXT NOT NULL, bonus_amount TEXT NOT NULL, reason TEXT NOT NULL, grant_time REAL NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, due_time REAL NOT NULL, kind TEXT NOT NULL,
    is_crowd INTEGER NOT NULL, hit_id TEXT, assignment_id TEXT, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_due_time ON events (due_time, seq);
CREATE TABLE IF NOT EXISTS layouts (
    hit_layout_id TEXT PRIMARY KEY, name TEXT NOT NULL, html TEXT NOT NULL, creation_time REAL NOT NULL);
CREATE TABLE IF NOT EXISTS request_tokens (
    operation TEXT NOT NULL, token TEXT NOT NULL, created_time REAL NOT NULL, result TEXT NOT NULL,
    PRIMARY KEY (operation, token));
CREATE TABLE IF NOT EXISTS qualification_types (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, qualification_type_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    description TEXT NOT NULL, keywords TEXT, status TEXT NOT NULL, test TEXT, answer_key TEXT,
    test_duration INTEGER, retry_delay INTEGER, auto_granted INTEGER NOT NULL, auto_granted_value INTEGER,
    creation_time REAL NOT NULL, disposed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS qualifications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, qualification_type_id TEXT NOT NULL, worker_id TEXT NOT NULL,
    integer_value INTEGER NOT NULL, status TEXT NOT NULL, grant_time REAL NOT NULL, reason TEXT,
    UNIQUE (qualification_type_id, worker_id));
CREATE TABLE IF NOT EXISTS qualification_requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, qualification_request_id TEXT NOT NULL UNIQUE,
    qualification_type_id TEXT NOT NULL, worker_id TEXT NOT NULL, test TEXT, answer TEXT,
    submit_time REAL NOT NULL, status TEXT NOT NULL, reason TEXT, integer_value INTEGER);
CREATE TABLE IF NOT EXISTS worker_blocks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, worker_id TEXT NOT NULL UNIQUE, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS worker_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, worker_id TEXT NOT NULL, subject TEXT NOT NULL,
    message_text TEXT NOT NULL, send_time REAL NOT NULL);
CREATE TABLE IF NOT EXISTS notification_settings (
    hit_type_id TEXT PRIMARY KEY, specification TEXT NOT NULL, active INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS notifications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, hit_type_id TEXT, event_type TEXT NOT NULL, is_test INTEGER NOT NULL,
    transport TEXT NOT NULL, destination TEXT NOT NULL, message TEXT NOT NULL, delivery_time REAL NOT NULL);
CREATE TABLE IF NOT EXISTS review_results (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, hit_id TEXT NOT NULL, policy_level TEXT NOT NULL,
    kind TEXT NOT NULL, detail TEXT NOT NULL);
"""

_TABLES = ("meta", "hit_types", "hits", "assignments", "bonuses", "events", "layouts", "request_tokens",
           "qualification_types", "qualifications", "qualification_requests", "worker_blocks", "worker_messages",
           "notification_settings", "notifications", "review_results")


class Store:
    """SQLite database at `path` (created with the current schema when missing)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are opened explicitly by `transaction()`.
        self._db = sqlite3.connect(str(self.path), isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._create_schema()

    def _create_schema(self) -> None:
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT version FROM schema_version").fetchone()
        if row is not None and row["version"] == 1:
            self._migrate_from_version_1()
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
        if row is None:
            self._db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        elif row["version"] != SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.path} has schema version {row['version']} but this mturk_local uses {SCHEMA_VERSION}; "
                "run `python -m mturk_local reset --state-dir DIR` to start from an empty database")

    def _migrate_from_version_1(self) -> None:
        """Add the HIT columns of version 2; `_SCHEMA` has already created the new tables."""
        for column in ("reviewable_notified INTEGER NOT NULL DEFAULT 0", "assignment_review_policy TEXT",
                       "hit_review_policy TEXT"):
            self._db.execute(f"ALTER TABLE hits ADD COLUMN {column}")
        self._db.execute("UPDATE schema_version SET version = 2")
        logger.info("%s migrated from schema version 1 to 2", self.path)

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one write transaction; roll back if it raises."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextlib.contextmanager
    def savepoint(self, name: str = "operation") -> Iterator[None]:
        """Run the block in a savepoint inside the current transaction; undo only the block if it raises."""
        self._db.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self._db.execute(f"ROLLBACK TO {name}")
            self._db.execute(f"RELEASE {name}")
            raise
        self._db.execute(f"RELEASE {name}")

    def clear(self) -> None:
        """Delete every row of every table except the schema version."""
        for table in _TABLES:
            self._db.execute(f"DELETE FROM {table}")
        self._db.execute("DELETE FROM sqlite_sequence")

    # Generic row access ---------------------------------------------------------------

    def insert(self, table: str, row: dict) -> int:
        """Insert `row` into `table` and return its rowid."""
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self._db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))
        return cursor.lastrowid

    def update(self, table: str, key_column: str, key: str, changes: dict) -> None:
        """Set `changes` on the row of `table` whose `key_column` equals `key`."""
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self._db.execute(f"UPDATE {table} SET {assignments} WHERE {key_column} = ?", (*changes.values(), key))

    def one(self, sql: str, args: tuple = ()) -> dict | None:
        row = self._db.execute(sql, args).fetchone()
        return None if row is None else dict(row)

    def all(self, sql: str, args: tuple = ()) -> list[dict]:
        return [dict(row) for row in self._db.execute(sql, args).fetchall()]

    def execute(self, sql: str, args: tuple = ()) -> None:
        self._db.execute(sql, args)

    # Key-value settings (counters, balance, clock) ------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else row["value"]

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def next_counter(self, name: str) -> int:
        """Increment the counter `name` (starting at 1) and return its new value."""
        value = int(self.get_meta(f"counter:{name}", "0")) + 1
        self.set_meta(f"counter:{name}", str(value))
        return value
