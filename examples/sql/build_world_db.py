"""Build ``world.sqlite`` (and optionally ``world.duckdb``) for the text-to-SQL sample set.

The rows are real: 31 countries, 65 of their cities and their main languages, with populations
and areas rounded from public figures of around 2023 (national statistics offices and the
World Bank via Wikipedia); language shares are approximate. The build is deterministic, so
the committed ``world.sqlite`` can be checked against a fresh build.

Usage:
    python examples/sql/build_world_db.py [OUT_DIR] [--duckdb]
"""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import Any

SCHEMA = [
    "CREATE TABLE country (code TEXT PRIMARY KEY, name TEXT NOT NULL, continent TEXT NOT NULL, "
    "population INTEGER NOT NULL, area_km2 INTEGER NOT NULL, capital_id INTEGER)",
    "CREATE TABLE city (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
    "country_code TEXT NOT NULL REFERENCES country(code), population INTEGER NOT NULL)",
    "CREATE TABLE language (country_code TEXT NOT NULL REFERENCES country(code), "
    "language TEXT NOT NULL, is_official INTEGER NOT NULL, percentage REAL, "
    "PRIMARY KEY (country_code, language))",
]

COUNTRIES: list[tuple[Any, ...]] = [
    ("USA", "United States", "North America", 334914895, 9833520, 1),
    ("CAN", "Canada", "North America", 40097761, 9984670, 5),
    ("MEX", "Mexico", "North America", 129875529, 1964375, 8),
    ("BRA", "Brazil", "South America", 203080756, 8515767, 10),
    ("ARG", "Argentina", "South America", 46654581, 2780400, 13),
    ("CHL", "Chile", "South America", 19629590, 756102, 15),
    ("PER", "Peru", "South America", 34352719, 1285216, 16),
    ("GBR", "United Kingdom", "Europe", 68350000, 243610, 17),
    ("FRA", "France", "Europe", 68170228, 643801, 20),
    ("DEU", "Germany", "Europe", 84482267, 357588, 23),
    ("ITA", "Italy", "Europe", 58850717, 301340, 26),
    ("ESP", "Spain", "Europe", 48592909, 505990, 28),
    ("NLD", "Netherlands", "Europe", 17879488, 41850, 30),
    ("SWE", "Sweden", "Europe", 10551707, 450295, 32),
    ("NOR", "Norway", "Europe", 5519594, 385207, 33),
    ("POL", "Poland", "Europe", 36753736, 312696, 34),
    ("CHE", "Switzerland", "Europe", 8849852, 41285, 36),
    ("CHN", "China", "Asia", 1410710000, 9596961, 39),
    ("IND", "India", "Asia", 1428627663, 3287263, 41),
    ("JPN", "Japan", "Asia", 124516650, 377975, 43),
    ("KOR", "South Korea", "Asia", 51712619, 100210, 45),
    ("IDN", "Indonesia", "Asia", 277534122, 1904569, 47),
    ("TUR", "Turkey", "Asia", 85326000, 783562, 48),
    ("EGY", "Egypt", "Africa", 112716598, 1002450, 50),
    ("NGA", "Nigeria", "Africa", 223804632, 923768, 52),
    ("ZAF", "South Africa", "Africa", 60414495, 1221037, 54),
    ("KEN", "Kenya", "Africa", 55100586, 580367, 57),
    ("ETH", "Ethiopia", "Africa", 126527060, 1104300, 58),
    ("MAR", "Morocco", "Africa", 37840044, 446550, 59),
    ("AUS", "Australia", "Oceania", 26638544, 7692024, 61),
    ("NZL", "New Zealand", "Oceania", 5223100, 268838, 64),
]

CITIES: list[tuple[Any, ...]] = [
    (1, "Washington", "USA", 678972), (2, "New York", "USA", 8258035),
    (3, "Los Angeles", "USA", 3820914), (4, "Chicago", "USA", 2664452),
    (5, "Ottawa", "CAN", 1017449), (6, "Toronto", "CAN", 2794356),
    (7, "Montreal", "CAN", 1762949), (8, "Mexico City", "MEX", 9209944),
    (9, "Guadalajara", "MEX", 1385629), (10, "Brasília", "BRA", 2817068),
    (11, "São Paulo", "BRA", 11451245), (12, "Rio de Janeiro", "BRA", 6211423),
    (13, "Buenos Aires", "ARG", 3121707), (14, "Córdoba", "ARG", 1505250),
    (15, "Santiago", "CHL", 6257516), (16, "Lima", "PER", 9943800),
    (17, "London", "GBR", 8866180), (18, "Manchester", "GBR", 552000),
    (19, "Edinburgh", "GBR", 514990), (20, "Paris", "FRA", 2102650),
    (21, "Marseille", "FRA", 873076), (22, "Lyon", "FRA", 522250),
    (23, "Berlin", "DEU", 3878100), (24, "Hamburg", "DEU", 1910160),
    (25, "Munich", "DEU", 1512491), (26, "Rome", "ITA", 2748109),
    (27, "Milan", "ITA", 1371850), (28, "Madrid", "ESP", 3332035),
    (29, "Barcelona", "ESP", 1660122), (30, "Amsterdam", "NLD", 921402),
    (31, "Rotterdam", "NLD", 664311), (32, "Stockholm", "SWE", 984748),
    (33, "Oslo", "NOR", 709037), (34, "Warsaw", "POL", 1861975),
    (35, "Kraków", "POL", 803282), (36, "Bern", "CHE", 134506),
    (37, "Zurich", "CHE", 427721), (38, "Geneva", "CHE", 203856),
    (39, "Beijing", "CHN", 21893095), (40, "Shanghai", "CHN", 24870895),
    (41, "New Delhi", "IND", 249998), (42, "Mumbai", "IND", 12442373),
    (43, "Tokyo", "JPN", 14094034), (44, "Osaka", "JPN", 2752412),
    (45, "Seoul", "KOR", 9386034), (46, "Busan", "KOR", 3349016),
    (47, "Jakarta", "IDN", 10562088), (48, "Ankara", "TUR", 5803482),
    (49, "Istanbul", "TUR", 15655924), (50, "Cairo", "EGY", 10107125),
    (51, "Alexandria", "EGY", 5200000), (52, "Abuja", "NGA", 1235880),
    (53, "Lagos", "NGA", 8048430), (54, "Pretoria", "ZAF", 741651),
    (55, "Cape Town", "ZAF", 4772846), (56, "Johannesburg", "ZAF", 5635127),
    (57, "Nairobi", "KEN", 4397073), (58, "Addis Ababa", "ETH", 3945000),
    (59, "Rabat", "MAR", 577827), (60, "Casablanca", "MAR", 3218036),
    (61, "Canberra", "AUS", 466566), (62, "Sydney", "AUS", 5450496),
    (63, "Melbourne", "AUS", 5207145), (64, "Wellington", "NZL", 215100),
    (65, "Auckland", "NZL", 1478800),
]

LANGUAGES: list[tuple[Any, ...]] = [
    ("USA", "English", 1, 78.2), ("USA", "Spanish", 0, 13.4),
    ("CAN", "English", 1, 56.0), ("CAN", "French", 1, 21.4),
    ("MEX", "Spanish", 1, 92.7), ("BRA", "Portuguese", 1, 98.0),
    ("ARG", "Spanish", 1, 96.8), ("CHL", "Spanish", 1, 99.5),
    ("PER", "Spanish", 1, 82.9), ("PER", "Quechua", 1, 13.6),
    ("GBR", "English", 1, 97.7), ("FRA", "French", 1, 97.0),
    ("DEU", "German", 1, 95.0), ("ITA", "Italian", 1, 95.0),
    ("ESP", "Spanish", 1, 74.0), ("ESP", "Catalan", 0, 17.0),
    ("NLD", "Dutch", 1, 96.0), ("SWE", "Swedish", 1, 89.0),
    ("NOR", "Norwegian", 1, 95.0), ("POL", "Polish", 1, 98.2),
    ("CHE", "German", 1, 62.0), ("CHE", "French", 1, 22.9), ("CHE", "Italian", 1, 8.0),
    ("CHN", "Mandarin", 1, 70.0), ("IND", "Hindi", 1, 43.6), ("IND", "English", 1, None),
    ("IND", "Bengali", 0, 8.0), ("JPN", "Japanese", 1, 99.0), ("KOR", "Korean", 1, 99.0),
    ("IDN", "Indonesian", 1, None), ("TUR", "Turkish", 1, 85.0), ("EGY", "Arabic", 1, 98.0),
    ("NGA", "English", 1, None), ("NGA", "Hausa", 0, 30.0),
    ("ZAF", "Zulu", 1, 24.4), ("ZAF", "Xhosa", 1, 16.3), ("ZAF", "Afrikaans", 1, 12.2),
    ("ZAF", "English", 1, 8.7), ("KEN", "Swahili", 1, None), ("KEN", "English", 1, None),
    ("ETH", "Amharic", 1, 29.3), ("MAR", "Arabic", 1, None), ("MAR", "Berber", 1, None),
    ("AUS", "English", 1, 72.0), ("NZL", "English", 1, 95.4), ("NZL", "Maori", 1, 4.0),
]

TABLES = {"country": COUNTRIES, "city": CITIES, "language": LANGUAGES}


def build_sqlite(path: str) -> str:
    """Write the database to ``path`` (replacing it) and return the path."""
    if os.path.exists(path):
        os.remove(path)
    conn = sqlite3.connect(path)
    try:
        for statement in SCHEMA:
            conn.execute(statement)
        for table, rows in TABLES.items():
            marks = ", ".join("?" for _ in rows[0])
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        conn.commit()
    finally:
        conn.close()
    return path


def build_duckdb(path: str) -> str:
    """Write the same database as a DuckDB file (needs ``duckdb``)."""
    import duckdb

    if os.path.exists(path):
        os.remove(path)
    conn = duckdb.connect(path)
    try:
        for statement in SCHEMA:
            conn.execute(statement)
        for table, rows in TABLES.items():
            marks = ", ".join("?" for _ in rows[0])
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    finally:
        conn.close()
    return path


def main(argv: list[str]) -> None:
    """Command-line entry point."""
    args = [a for a in argv if not a.startswith("--")]
    out = args[0] if args else os.path.dirname(os.path.abspath(__file__))
    print(build_sqlite(os.path.join(out, "world.sqlite")))
    if "--duckdb" in argv:
        print(build_duckdb(os.path.join(out, "world.duckdb")))


if __name__ == "__main__":
    main(sys.argv[1:])
