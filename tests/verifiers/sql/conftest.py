"""Real multi-table databases for the SQL verifier tests.

``element`` and ``discovery`` hold the first twenty elements of the periodic table with
their standard atomic weights (IUPAC, abridged) and who first discovered or isolated each
(NULL for elements known since antiquity). ``reading`` is a 3,000-row table of generated
sensor readings, large enough that a three-way cartesian join over it runs away.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

ELEMENT_SCHEMA = [
    "CREATE TABLE element (number INTEGER PRIMARY KEY, symbol TEXT NOT NULL, name TEXT NOT NULL, "
    "mass REAL NOT NULL, period INTEGER NOT NULL, grp INTEGER NOT NULL, category TEXT NOT NULL)",
    "CREATE TABLE discovery (number INTEGER PRIMARY KEY REFERENCES element(number), "
    "year INTEGER, discoverer TEXT)",
    "CREATE TABLE reading (id INTEGER PRIMARY KEY, sensor TEXT NOT NULL, value REAL NOT NULL)",
]

ELEMENTS: list[tuple[Any, ...]] = [
    (1, "H", "Hydrogen", 1.008, 1, 1, "nonmetal"),
    (2, "He", "Helium", 4.0026, 1, 18, "noble gas"),
    (3, "Li", "Lithium", 6.94, 2, 1, "alkali metal"),
    (4, "Be", "Beryllium", 9.0122, 2, 2, "alkaline earth metal"),
    (5, "B", "Boron", 10.81, 2, 13, "metalloid"),
    (6, "C", "Carbon", 12.011, 2, 14, "nonmetal"),
    (7, "N", "Nitrogen", 14.007, 2, 15, "nonmetal"),
    (8, "O", "Oxygen", 15.999, 2, 16, "nonmetal"),
    (9, "F", "Fluorine", 18.998, 2, 17, "halogen"),
    (10, "Ne", "Neon", 20.180, 2, 18, "noble gas"),
    (11, "Na", "Sodium", 22.990, 3, 1, "alkali metal"),
    (12, "Mg", "Magnesium", 24.305, 3, 2, "alkaline earth metal"),
    (13, "Al", "Aluminium", 26.982, 3, 13, "post-transition metal"),
    (14, "Si", "Silicon", 28.085, 3, 14, "metalloid"),
    (15, "P", "Phosphorus", 30.974, 3, 15, "nonmetal"),
    (16, "S", "Sulfur", 32.06, 3, 16, "nonmetal"),
    (17, "Cl", "Chlorine", 35.45, 3, 17, "halogen"),
    (18, "Ar", "Argon", 39.95, 3, 18, "noble gas"),
    (19, "K", "Potassium", 39.098, 4, 1, "alkali metal"),
    (20, "Ca", "Calcium", 40.078, 4, 2, "alkaline earth metal"),
]

DISCOVERIES: list[tuple[Any, ...]] = [
    (1, 1766, "Henry Cavendish"), (2, 1868, "Pierre Janssen"),
    (3, 1817, "Johan August Arfwedson"), (4, 1798, "Louis Nicolas Vauquelin"),
    (5, 1808, "Joseph Louis Gay-Lussac"), (6, None, None), (7, 1772, "Daniel Rutherford"),
    (8, 1774, "Joseph Priestley"), (9, 1886, "Henri Moissan"), (10, 1898, "William Ramsay"),
    (11, 1807, "Humphry Davy"), (12, 1755, "Joseph Black"),
    (13, 1825, "Hans Christian Ørsted"), (14, 1824, "Jöns Jacob Berzelius"),
    (15, 1669, "Hennig Brand"), (16, None, None), (17, 1774, "Carl Wilhelm Scheele"),
    (18, 1894, "William Ramsay"), (19, 1807, "Humphry Davy"), (20, 1808, "Humphry Davy"),
]

READINGS: list[tuple[Any, ...]] = [
    (i, f"s{i % 7}", round((i * 37 % 1000) / 10.0, 1)) for i in range(1, 3001)
]

TABLES = {"element": ELEMENTS, "discovery": DISCOVERIES, "reading": READINGS}


def _fill(conn: Any) -> None:
    for statement in ELEMENT_SCHEMA:
        conn.execute(statement)
    for table, rows in TABLES.items():
        marks = ", ".join("?" for _ in rows[0])
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


@pytest.fixture(scope="session")
def elements_sqlite(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of a SQLite file with the element tables."""
    path = str(tmp_path_factory.mktemp("sqlite") / "elements.sqlite")
    conn = sqlite3.connect(path)
    _fill(conn)
    conn.commit()
    conn.close()
    os.chmod(path, 0o644)
    return path


@pytest.fixture(scope="session")
def elements_duckdb(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of a DuckDB file with the same tables."""
    import duckdb

    path = str(tmp_path_factory.mktemp("duckdb") / "elements.duckdb")
    conn = duckdb.connect(path)
    _fill(conn)
    conn.close()
    return path


@pytest.fixture(scope="session")
def inline_elements() -> dict[str, Any]:
    """The element tables (without ``reading``) as an inline ``{schema, rows}`` mapping."""
    return {
        "schema": ELEMENT_SCHEMA[:2],
        "rows": {"element": [list(r) for r in ELEMENTS],
                 "discovery": [list(r) for r in DISCOVERIES]},
    }


@pytest.fixture(params=["sqlite", "duckdb"])
def engine_db(request: pytest.FixtureRequest, elements_sqlite: str, elements_duckdb: str) -> str:
    """The element database file for each engine."""
    return elements_sqlite if request.param == "sqlite" else elements_duckdb


@pytest.fixture(scope="session")
def build_scorer() -> Callable[..., Callable[..., Any]]:
    """``build_scorer(**options)`` -> ``score(response, reference, **sample_fields)``."""
    from rewardkit.core.registry import get_verifier, run_scorer
    from rewardkit.core.types import Sample

    def build(**options: Any) -> Callable[..., Any]:
        fn = get_verifier("sql").build(options)

        def score(response: str, reference: Any, **fields: Any) -> Any:
            return run_scorer(fn, Sample(response=response, reference=reference, **fields))

        return score

    return build
