"""The persistent cache of `check`: a sentence's logits under a model's identity, in one
SQLite file, as ruff and mypy keep theirs, so that a second run over an unchanged tree loads
no model and a run after an edit analyses only the changed sentences.

What is stored is the logits (one float32 per label), never a verdict: the label, its
probability and whether it is flagged are recomputed from them by the same post-processing
and rule as a fresh run, so settings that only judge (threshold, tone, flag labels,
severity, minimum words) never need a key of their own and can never be served stale. What
changes the logits is in the model key (`model_identity.py`): the weights' hash, the
runtime, the precision, the device and this format's version.

- Bounded: at most `max_entries` sentences; the least recently used go first.
- Two runs at once: SQLite's write-ahead log and a busy timeout; each run writes its new
  results in one transaction.
- A file that is not a readable database (truncated, overwritten) is said once on stderr,
  removed and rebuilt; where even that fails the run goes on without a cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

DATABASE = "results.sqlite3"
FORMAT = 1  # bump when what a row means changes
MAX_ENTRIES = 500_000  # about 40 MB of rows
MAX_DOCUMENTS = 20_000  # a document's sentences: its text again, and its offsets
BUSY_TIMEOUT_S = 30.0
GITIGNORE = "# Created by sentiment-ls: everything here is a cache.\n*\n"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by sentiment-ls.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    model BLOB NOT NULL, sentence BLOB NOT NULL, logits BLOB NOT NULL, used REAL NOT NULL,
    PRIMARY KEY (model, sentence)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS results_used ON results (used);
CREATE TABLE IF NOT EXISTS documents (
    document BLOB PRIMARY KEY, sentences BLOB NOT NULL, used REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
"""
Logits = npt.NDArray[np.float32]


def sentence_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:16]


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taking the write lock at once (two runs wait their turn)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def prepare_folder(folder: Path) -> None:
    """The cache folder with its own `.gitignore` (so that it is never committed, wherever
    it is) and a CACHEDIR.TAG (so that backup tools skip it)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
        path = folder / name
        if not path.exists():
            path.write_text(text, encoding="utf-8")


class ResultStore:
    """Logits by (model key, sentence); `warn` hears of a cache that had to be rebuilt or
    could not be used, once each."""

    def __init__(
        self, folder: Path, warn: Callable[[str], None], max_entries: int = MAX_ENTRIES
    ) -> None:
        self.folder = folder
        self.path = folder / DATABASE
        self.max_entries = max_entries
        self._warn = warn
        self._connection: sqlite3.Connection | None = None
        self.hits = 0
        try:
            prepare_folder(folder)
            self._connection = self._open()
        except OSError as error:
            self._give_up(error)
        except sqlite3.DatabaseError as error:
            self._rebuild(error)

    @property
    def usable(self) -> bool:
        return self._connection is not None

    # -- reading and writing ---------------------------------------------------------

    def get(self, model: bytes, texts: Iterable[str]) -> dict[str, Logits]:
        """The stored logits of those `texts` that have them; marks them used."""
        wanted = {sentence_key(text): text for text in texts}
        found: dict[str, Logits] = {}

        def read(connection: sqlite3.Connection) -> None:
            keys = list(wanted)
            for start in range(0, len(keys), 500):  # SQLite's variable limit
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    "SELECT sentence, logits FROM results "
                    f"WHERE model = ? AND sentence IN ({marks})",
                    [model, *chunk],
                )
                for sentence, logits in rows:
                    found[wanted[sentence]] = np.frombuffer(logits, dtype=np.float32)
            if found:
                with _transaction(connection):
                    connection.executemany(
                        "UPDATE results SET used = ? WHERE model = ? AND sentence = ?",
                        [(time.time(), model, sentence_key(text)) for text in found],
                    )

        if not self._guarded(read):
            return {}
        self.hits += len(found)
        return found

    def put(self, model: bytes, results: Mapping[str, Logits]) -> None:
        """Store logits, then keep the table within `max_entries`."""
        now = time.time()
        rows = [
            (model, sentence_key(text), np.asarray(logits, dtype=np.float32).tobytes(), now)
            for text, logits in results.items()
        ]

        def write(connection: sqlite3.Connection) -> None:
            with _transaction(connection):
                connection.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", rows)
            self._prune(connection)

        self._guarded(write)

    def get_blobs(self, keys: Iterable[bytes]) -> dict[bytes, bytes]:
        """Stored documents' blobs (their sentences, as `check` encodes them) by key."""
        wanted = list(dict.fromkeys(keys))
        found: dict[bytes, bytes] = {}

        def read(connection: sqlite3.Connection) -> None:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT document, sentences FROM documents WHERE document IN ({marks})",
                    chunk,
                )
                found.update((bytes(key), bytes(blob)) for key, blob in rows)
            if found:
                with _transaction(connection):
                    connection.executemany(
                        "UPDATE documents SET used = ? WHERE document = ?",
                        [(time.time(), key) for key in found],
                    )

        return found if self._guarded(read) else {}

    def put_blobs(self, blobs: Mapping[bytes, bytes]) -> None:
        now = time.time()

        def write(connection: sqlite3.Connection) -> None:
            with _transaction(connection):
                connection.executemany(
                    "INSERT OR REPLACE INTO documents VALUES (?, ?, ?)",
                    [(key, blob, now) for key, blob in blobs.items()],
                )
            self._prune(connection, "documents", "document", MAX_DOCUMENTS)

        if blobs:
            self._guarded(write)

    def file_hash(self, path: Path, compute: Callable[[Path], str]) -> str:
        """`compute(path)`, remembered by the file's path, size and modification time, so
        that a model's weights are hashed once, not on every run."""
        stat = path.stat()
        key = str(path.resolve())
        remembered: list[str] = []

        def read(connection: sqlite3.Connection) -> None:
            row = connection.execute(
                "SELECT sha256 FROM files WHERE path = ? AND size = ? AND mtime_ns = ?",
                (key, stat.st_size, stat.st_mtime_ns),
            ).fetchone()
            if row:
                remembered.append(str(row[0]))

        self._guarded(read)
        if remembered:
            return remembered[0]
        digest = compute(path)

        def write(connection: sqlite3.Connection) -> None:
            with _transaction(connection):
                connection.execute(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                    (key, stat.st_size, stat.st_mtime_ns, digest),
                )

        self._guarded(write)
        return digest

    def entries(self) -> int:
        counted: list[int] = []
        self._guarded(
            lambda c: counted.append(int(c.execute("SELECT count(*) FROM results").fetchone()[0]))
        )
        return counted[0] if counted else 0

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- the file's life -------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.executescript(_SCHEMA)  # each statement idempotent
            row = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if row is None:
                connection.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
            elif int(row[0]) != FORMAT:  # another version's rows: start afresh
                with _transaction(connection):
                    connection.execute("DELETE FROM results")
                    connection.execute("UPDATE meta SET value = ? WHERE key = 'format'", (FORMAT,))
        except BaseException:
            connection.close()
            raise
        return connection

    def _guarded(self, operation: Callable[[sqlite3.Connection], object]) -> bool:
        """Run `operation`; a database error rebuilds the file (the operation is not
        retried: a lookup then misses, a write is lost). False when nothing ran."""
        if self._connection is None:
            return False
        try:
            operation(self._connection)
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                return False  # another run held it past the timeout: not worth failing for
            self._rebuild(error)
            return False
        except sqlite3.DatabaseError as error:
            self._rebuild(error)
            return False
        except OSError as error:
            self._give_up(error)
            return False
        return True

    def _rebuild(self, error: Exception) -> None:
        self.close()
        self._warn(f"the cache {self.path} could not be read ({error}); rebuilding it")
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._connection = self._open()
        except (OSError, sqlite3.DatabaseError) as again:
            self._give_up(again)

    def _give_up(self, error: Exception) -> None:
        self.close()
        self._warn(f"the cache in {self.folder} cannot be used ({error}); running without it")

    def _prune(
        self,
        connection: sqlite3.Connection,
        table: str = "results",
        key: str = "model, sentence",
        limit: int | None = None,
    ) -> None:
        limit = self.max_entries if limit is None else limit
        count = int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        if count <= limit:
            return
        keep = limit * 9 // 10  # room for the next run before pruning again
        with _transaction(connection):
            connection.execute(
                f"DELETE FROM {table} WHERE ({key}) IN "
                f"(SELECT {key} FROM {table} ORDER BY used LIMIT ?)",
                (count - keep,),
            )
