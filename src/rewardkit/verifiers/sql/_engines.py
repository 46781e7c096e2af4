"""Execute admitted queries on SQLite (the embedded default) or DuckDB, safely and fast.

Safety, per engine (the sqlglot check in :mod:`._safety` runs before either):

* SQLite: files are opened with the URI ``mode=ro``; every connection sets
  ``PRAGMA query_only``, ``SQLITE_LIMIT_ATTACHED = 0`` (no ``ATTACH``), a 10 MB limit on
  strings and blobs, and an authorizer that allows only reads, ``SELECT``, recursive CTEs
  and functions not in :data:`._safety.FORBIDDEN_FUNCTIONS`; extension loading is never
  enabled. Python's ``sqlite3`` runs one statement per ``execute``.
* DuckDB: files are opened ``read_only=True``; external access (files, network) and extension
  auto-install/auto-load are disabled and the configuration is locked; DuckDB's own parser must
  see exactly one ``SELECT`` statement.

Deadlines use no signals: SQLite's progress handler compares the clock every few thousand
virtual-machine steps and interrupts the statement, and a per-process watchdog thread calls
``interrupt()`` shortly after the deadline as a backstop (for one long step such as a big
sort); for DuckDB the watchdog calls the cursor's ``interrupt()`` at the deadline. Rows are
fetched in chunks and reading stops after ``max_rows + 1`` rows.

Connections are cached per (process, thread, database): the engine's workers call the scorer
sequentially, and any extra threads get their own connections (SQLite connections are not
shared across threads; DuckDB threads get their own cursor on a per-process connection).
A file is identified by its real path, size and modification time, so a rebuilt database is
reopened.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import sqlite3
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rewardkit._extras import require
from rewardkit.core.errors import InvalidInput
from rewardkit.verifiers.sql._safety import FORBIDDEN_FUNCTIONS

Engine = Literal["sqlite", "duckdb"]
RunStatus = Literal["ok", "error", "timeout", "row_cap", "refused"]

#: Databases kept open per thread (SQLite) or per process (DuckDB); the least recently used
#: one is closed beyond this.
MAX_OPEN_DATABASES = 32
#: Largest string or blob a SQLite query may build (``SQLITE_LIMIT_LENGTH``).
SQLITE_MAX_LENGTH = 10_000_000
#: Virtual-machine steps between two clock checks in SQLite's progress handler.
PROGRESS_STEPS = 2_000
#: Limits on an inline database given in a sample.
MAX_INLINE_SCHEMA_CHARS = 200_000
MAX_INLINE_ROWS = 200_000
#: DuckDB memory limit per connection.
DUCKDB_MEMORY_LIMIT = "2GB"

_FETCH_CHUNK = 256
_SQLITE_RECURSIVE = getattr(sqlite3, "SQLITE_RECURSIVE", 33)
_READ_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, _SQLITE_RECURSIVE})


@dataclass
class QueryRun:
    """The outcome of running one query.

    Attributes:
        status: ``ok``; ``error`` (the engine raised); ``timeout`` (the deadline interrupted it);
            ``row_cap`` (more than ``max_rows`` rows); ``refused`` (a safety layer denied it).
        columns: result column names.
        rows: result rows (at most ``max_rows``).
        message: the engine's message when not ``ok``.
        seconds: wall time spent.
    """

    status: RunStatus
    columns: tuple[str, ...] = ()
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Database:
    """Where a query runs: a file, or a schema plus rows built in memory.

    Attributes:
        engine: ``"sqlite"`` or ``"duckdb"``.
        path: absolute path of a database file, or ``None`` for an inline database.
        schema: ``CREATE`` statements of an inline database.
        rows: an inline database's rows as canonical JSON (``{table: [[...], ...]}``).
    """

    engine: Engine
    path: str | None = None
    schema: str | None = None
    rows: str | None = None

    @property
    def label(self) -> str:
        """Short description for details and messages."""
        if self.path is not None:
            return self.path
        digest = hashlib.sha256(f"{self.schema}\0{self.rows}".encode()).hexdigest()[:12]
        return f"inline:{digest}"

    def cache_key(self) -> tuple[Any, ...]:
        """Identity of the database content as far as caching goes (stat of a file)."""
        if self.path is None:
            return (self.engine, "inline", self.schema, self.rows)
        try:
            st = os.stat(self.path)
        except OSError as exc:
            raise InvalidInput(f"database file not readable: {self.path} ({exc.strerror})") from None
        return (self.engine, self.path, st.st_ino, st.st_size, st.st_mtime_ns)


def inline_database(engine: Engine, schema: Any, rows: Any) -> Database:
    """Validate an inline ``schema`` (SQL text or list of statements) and ``rows``.

    Args:
        engine: engine to build it on.
        schema: ``CREATE TABLE`` statements, as one string or a list of strings.
        rows: ``{table: [[v, ...], ...]}`` or ``{table: [{column: v}, ...]}``.

    Raises:
        InvalidInput: wrong shapes or over the size limits.
    """
    if isinstance(schema, (list, tuple)) and all(isinstance(s, str) for s in schema):
        schema = ";\n".join(s.strip().rstrip(";") for s in schema)
    if not isinstance(schema, str) or not schema.strip():
        raise InvalidInput("inline database: 'schema' must be CREATE statements (text or list)")
    if len(schema) > MAX_INLINE_SCHEMA_CHARS:
        raise InvalidInput(f"inline database: schema over {MAX_INLINE_SCHEMA_CHARS} characters")
    if rows is None:
        rows = {}
    if not isinstance(rows, Mapping):
        raise InvalidInput("inline database: 'rows' must map table names to lists of rows")
    total = 0
    clean: dict[str, list[Any]] = {}
    for table, table_rows in rows.items():
        if (
            not isinstance(table, str)
            or not isinstance(table_rows, Sequence)
            or isinstance(table_rows, (str, bytes))
        ):
            raise InvalidInput(f"inline database: rows of {table!r} must be a list")
        for row in table_rows:
            if not isinstance(row, (Sequence, Mapping)) or isinstance(row, (str, bytes)):
                raise InvalidInput(f"inline database: a row of {table!r} is not a list or mapping")
        total += len(table_rows)
        clean[table] = [dict(r) if isinstance(r, Mapping) else list(r) for r in table_rows]
    if total > MAX_INLINE_ROWS:
        raise InvalidInput(f"inline database: {total} rows, limit {MAX_INLINE_ROWS}")
    try:
        canonical = json.dumps(clean, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"inline database: rows are not plain JSON values ({exc})") from None
    return Database(engine=engine, schema=schema, rows=canonical)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _insert_statements(rows_json: str) -> list[tuple[str, list[Sequence[Any]]]]:
    """``(INSERT statement, parameter rows)`` for every table of an inline database."""
    out: list[tuple[str, list[Sequence[Any]]]] = []
    for table, table_rows in json.loads(rows_json).items():
        if not table_rows:
            continue
        if isinstance(table_rows[0], dict):
            columns = list(table_rows[0])
            params: list[Sequence[Any]] = []
            for row in table_rows:
                if not isinstance(row, dict) or set(row) != set(columns):
                    raise InvalidInput(f"inline database: rows of {table!r} differ in columns")
                params.append([row[c] for c in columns])
            cols = ", ".join(_quote(c) for c in columns)
            marks = ", ".join("?" for _ in columns)
            out.append((f"INSERT INTO {_quote(table)} ({cols}) VALUES ({marks})", params))
        else:
            width = len(table_rows[0])
            if any(not isinstance(r, list) or len(r) != width for r in table_rows):
                raise InvalidInput(f"inline database: rows of {table!r} differ in length")
            marks = ", ".join("?" for _ in range(width))
            out.append((f"INSERT INTO {_quote(table)} VALUES ({marks})", table_rows))
    return out


# --------------------------------------------------------------------------------------------
# Deadlines


class _Alarm:
    """One armed deadline; ``fired`` tells whether its callback ran."""

    __slots__ = ("when", "callback", "active", "fired")

    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.active = True
        self.fired = False


class _Watchdog:
    """One daemon thread per process that calls ``interrupt`` callbacks at their deadlines.

    Cheaper than a ``threading.Timer`` per query, and signal-free: arming is a heap push, and
    the thread is woken only when a new alarm becomes the earliest; disarmed alarms are dropped
    lazily when they reach the top. ``disarm`` and the firing share a lock, so a callback never
    runs after its query was disarmed.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._alarms: list[tuple[float, int, _Alarm]] = []
        self._seq = 0
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def arm(self, when: float, callback: Callable[[], None]) -> _Alarm:
        alarm = _Alarm(when, callback)
        with self._cond:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._alarms = []
                self._thread = threading.Thread(target=self._loop, name="rewardkit-sql-watchdog", daemon=True)
                self._thread.start()
            self._seq += 1
            heapq.heappush(self._alarms, (when, self._seq, alarm))
            if self._alarms[0][2] is alarm:  # only a new earliest deadline needs a wake-up
                self._cond.notify()
        return alarm

    def disarm(self, alarm: _Alarm) -> None:
        with self._cond:
            alarm.active = False

    def _loop(self) -> None:
        with self._cond:
            while True:
                while self._alarms and not self._alarms[0][2].active:
                    heapq.heappop(self._alarms)
                if not self._alarms:
                    self._cond.wait()
                    continue
                when, _, alarm = self._alarms[0]
                delay = when - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._alarms)
                alarm.active = False
                alarm.fired = True
                try:
                    alarm.callback()
                except Exception:  # pragma: no cover - a closed connection, nothing to stop
                    pass


_WATCHDOG = _Watchdog()


def _reset_after_fork() -> None:
    """A forked child starts with a fresh watchdog and DuckDB cache (the parent's locks may
    have been held by other threads at the fork)."""
    global _WATCHDOG, _DUCKDB_LOCK
    _WATCHDOG = _Watchdog()
    _DUCKDB_LOCK = threading.Lock()
    # The parent's DuckDB objects are kept, never used or closed: closing them in the child
    # can block on state copied mid-operation.
    _FORK_GRAVEYARD.extend(_DUCKDB.values())
    _DUCKDB.clear()
    _DUCKDB_PID[0] = os.getpid()


#: Grace after the deadline before the watchdog interrupts a SQLite statement that the
#: progress handler did not stop (a single long virtual-machine step such as a big sort).
SQLITE_INTERRUPT_GRACE = 0.05


# --------------------------------------------------------------------------------------------
# SQLite


def _sqlite_authorizer(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    if action in _READ_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        name = (arg2 or "").lower()
        return sqlite3.SQLITE_DENY if name in FORBIDDEN_FUNCTIONS else sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _build_authorizer(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    """While an inline database is built from its (trusted) schema: no ATTACH, no extensions."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in FORBIDDEN_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class _SqliteHandle:
    """One SQLite connection, owned by one thread, with its deadline and schema."""

    def __init__(self, db: Database) -> None:
        self.deadline = float("inf")
        if db.path is not None:
            uri = "file:" + urllib.parse.quote(db.path) + "?mode=ro"
            try:
                conn = sqlite3.connect(uri, uri=True, isolation_level=None)
            except sqlite3.Error as exc:
                raise InvalidInput(f"cannot open SQLite database {db.path}: {exc}") from None
        else:
            conn = sqlite3.connect(":memory:", isolation_level=None)
        self.conn = conn
        try:
            conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQLITE_MAX_LENGTH)
            if db.path is None:
                self._build_inline(db)
            self.schema = self._read_schema()
        except InvalidInput:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise InvalidInput(f"cannot read SQLite database {db.label}: {exc}") from None
        conn.execute("PRAGMA query_only = ON")
        conn.set_authorizer(_sqlite_authorizer)
        conn.set_progress_handler(self._progress, PROGRESS_STEPS)

    def _build_inline(self, db: Database) -> None:
        conn = self.conn
        conn.set_authorizer(_build_authorizer)
        try:
            conn.executescript(db.schema or "")
            assert db.rows is not None
            conn.execute("BEGIN")
            for statement, params in _insert_statements(db.rows):
                conn.executemany(statement, params)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise InvalidInput(f"inline database could not be built: {exc}") from None
        finally:
            conn.set_authorizer(None)

    def _read_schema(self) -> dict[str, tuple[str, ...]]:
        tables = [
            r[0]
            for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
            )
        ]
        schema: dict[str, tuple[str, ...]] = {}
        for table in tables:
            cols = self.conn.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
            schema[table.lower()] = tuple(str(c[1]).lower() for c in cols)
        return schema

    def _progress(self) -> int:
        return 1 if time.monotonic() > self.deadline else 0

    def run(self, sql: str, timeout: float, max_rows: int) -> QueryRun:
        start = time.monotonic()
        self.deadline = start + timeout
        alarm = _WATCHDOG.arm(self.deadline + SQLITE_INTERRUPT_GRACE, self.conn.interrupt)
        cursor = None
        try:
            cursor = self.conn.execute(sql)
            columns = tuple(str(d[0]) for d in cursor.description or ())
            rows: list[tuple[Any, ...]] = []
            while True:
                chunk = cursor.fetchmany(_FETCH_CHUNK)
                if not chunk:
                    break
                rows.extend(chunk)
                if len(rows) > max_rows:
                    return QueryRun(
                        "row_cap",
                        columns,
                        rows[:max_rows],
                        f"more than {max_rows} rows",
                        time.monotonic() - start,
                    )
            return QueryRun("ok", columns, rows, "", time.monotonic() - start)
        except (sqlite3.Error, sqlite3.Warning) as exc:
            elapsed = time.monotonic() - start
            message = str(exc) or type(exc).__name__
            if "interrupted" in message and time.monotonic() > self.deadline:
                return QueryRun("timeout", message=f"query exceeded {timeout:g}s", seconds=elapsed)
            if "not authorized" in message or "one statement" in message:
                return QueryRun("refused", message=message, seconds=elapsed)
            return QueryRun("error", message=message, seconds=elapsed)
        finally:
            _WATCHDOG.disarm(alarm)
            self.deadline = float("inf")
            if cursor is not None:
                cursor.close()

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------------------------
# DuckDB


def _duckdb_config() -> dict[str, Any]:
    return {
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "threads": 1,
        "memory_limit": DUCKDB_MEMORY_LIMIT,
    }


class _DuckdbDatabase:
    """A per-process DuckDB connection; threads take cursors from it."""

    def __init__(self, db: Database) -> None:
        duckdb = require("duckdb", "sql")
        self.duckdb = duckdb
        try:
            if db.path is not None:
                conn = duckdb.connect(db.path, read_only=True, config=_duckdb_config())
            else:
                conn = duckdb.connect(":memory:", config=_duckdb_config())
                try:
                    conn.execute(db.schema or "")
                    assert db.rows is not None
                    for statement, params in _insert_statements(db.rows):
                        conn.executemany(statement, params)
                except duckdb.Error as exc:
                    conn.close()
                    raise InvalidInput(f"inline database could not be built: {exc}") from None
            conn.execute("SET lock_configuration = true")
            rows = conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "ORDER BY table_name, ordinal_position"
            ).fetchall()
        except duckdb.Error as exc:
            raise InvalidInput(f"cannot open DuckDB database {db.label}: {exc}") from None
        schema: dict[str, list[str]] = {}
        for table, column in rows:
            schema.setdefault(str(table).lower(), []).append(str(column).lower())
        self.schema = {t: tuple(c) for t, c in schema.items()}
        self.conn = conn

    def close(self) -> None:
        self.conn.close()


class _DuckdbHandle:
    """A thread's cursor on a per-process DuckDB database."""

    def __init__(self, base: _DuckdbDatabase) -> None:
        self.base = base
        self.schema = base.schema
        self.cursor = base.conn.cursor()

    def run(self, sql: str, timeout: float, max_rows: int) -> QueryRun:
        duckdb = self.base.duckdb
        start = time.monotonic()
        cursor = self.cursor
        alarm: _Alarm | None = None
        try:
            statements = cursor.extract_statements(sql)
            if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
                kinds = ", ".join(str(s.type).rsplit(".", 1)[-1] for s in statements)
                return QueryRun("refused", message=f"DuckDB sees statements: {kinds}")
            alarm = _WATCHDOG.arm(start + timeout, cursor.interrupt)
            cursor.execute(sql)
            columns = tuple(str(d[0]) for d in cursor.description or ())
            rows: list[tuple[Any, ...]] = []
            while True:
                chunk = cursor.fetchmany(_FETCH_CHUNK)
                if not chunk:
                    break
                rows.extend(chunk)
                if len(rows) > max_rows:
                    return QueryRun(
                        "row_cap",
                        columns,
                        rows[:max_rows],
                        f"more than {max_rows} rows",
                        time.monotonic() - start,
                    )
            return QueryRun("ok", columns, rows, "", time.monotonic() - start)
        except duckdb.InterruptException:
            return QueryRun(
                "timeout", message=f"query exceeded {timeout:g}s", seconds=time.monotonic() - start
            )
        except duckdb.PermissionException as exc:
            return QueryRun("refused", message=str(exc), seconds=time.monotonic() - start)
        except duckdb.Error as exc:
            return QueryRun("error", message=str(exc), seconds=time.monotonic() - start)
        finally:
            if alarm is not None:
                _WATCHDOG.disarm(alarm)
            if alarm is not None and alarm.fired:  # the interrupt may linger: use a new cursor
                cursor.close()
                self.cursor = self.base.conn.cursor()

    def close(self) -> None:
        self.cursor.close()


# --------------------------------------------------------------------------------------------
# Caches


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.handles: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


_THREAD = _ThreadState()
_DUCKDB_LOCK = threading.Lock()
_DUCKDB: OrderedDict[tuple[Any, ...], _DuckdbDatabase] = OrderedDict()
_DUCKDB_PID = [os.getpid()]
_FORK_GRAVEYARD: list[Any] = []
os.register_at_fork(after_in_child=_reset_after_fork)


def _duckdb_database(key: tuple[Any, ...], db: Database) -> _DuckdbDatabase:
    with _DUCKDB_LOCK:
        if _DUCKDB_PID[0] != os.getpid():  # a forked child must not use the parent's handles
            _DUCKDB.clear()
            _DUCKDB_PID[0] = os.getpid()
        base = _DUCKDB.get(key)
        if base is None:
            base = _DuckdbDatabase(db)
            _DUCKDB[key] = base
            while len(_DUCKDB) > MAX_OPEN_DATABASES:
                _DUCKDB.popitem(last=False)  # closed when its last cursor goes
        else:
            _DUCKDB.move_to_end(key)
        return base


def handle_for(db: Database) -> _SqliteHandle | _DuckdbHandle:
    """The calling thread's cached connection to ``db``, opened on first use.

    Raises:
        InvalidInput: the database cannot be opened or built.
    """
    state = _THREAD
    if state.pid != os.getpid():  # forked: keep (never use or close) the parent's handles
        _FORK_GRAVEYARD.extend(state.handles.values())
        state.handles = OrderedDict()
        state.pid = os.getpid()
    key = db.cache_key()
    handle = state.handles.get(key)
    if handle is not None:
        state.handles.move_to_end(key)
        return handle  # type: ignore[no-any-return]
    if db.engine == "sqlite":
        handle = _SqliteHandle(db)
    else:
        handle = _DuckdbHandle(_duckdb_database(key, db))
    state.handles[key] = handle
    while len(state.handles) > MAX_OPEN_DATABASES:
        _, old = state.handles.popitem(last=False)
        old.close()
    return handle


def run_query(db: Database, sql: str, *, timeout: float, max_rows: int) -> QueryRun:
    """Run one admitted query on ``db`` with a deadline and a row cap."""
    return handle_for(db).run(sql, timeout, max_rows)


def database_schema(db: Database) -> dict[str, tuple[str, ...]]:
    """``{table: columns}`` of ``db``, lower case (for schema linking)."""
    return handle_for(db).schema
