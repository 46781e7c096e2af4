"""SQL execution verifier (``sql``): text-to-SQL rewards by executing queries.

Registered name: ``sql``. Options: :class:`SqlOptions`.

Where the database comes from (full rules in :mod:`._source`):

* ``reference="SELECT ..."`` with the database in ``sample.meta["db_path"]``,
  ``meta["db"]``, ``meta["db_id"]`` (under the ``db_root`` option) or the ``db_path`` option;
* ``reference={"sql": "SELECT ...", "db_path": "world.sqlite"}``;
* ``reference={"sql": "SELECT ...", "schema": "CREATE TABLE ...", "rows": {"t": [[...]]}}``
  for a database built in memory from the sample itself.

Outcomes: ``ok`` 1.0 on an execution match; ``ok`` 0.0 with ``details["reason"]`` for a miss
(``no_sql``, ``unfinished_thinking``, ``parse_error``, ``multiple_statements``, ``not_a_query``,
``forbidden_statement``, ``forbidden_function``, ``execution_error``, ``row_cap_exceeded``,
``column_count_mismatch``, ``row_count_mismatch``, ``rows_mismatch``, ``order_mismatch``);
``timeout`` when the predicted query runs past the deadline; ``invalid_input`` when the
reference cannot be used (no database, gold query rejected or failing). ``details`` always
names the ``mode``. SQLite is built in; sqlglot (and DuckDB for the second engine) come with
``pip install 'rewardkit[sql]'`` and are imported on first use.
"""

from __future__ import annotations

from rewardkit.verifiers.sql._verifier import SqlOptions, sql_verifier

__all__ = ["SqlOptions", "sql_verifier"]
