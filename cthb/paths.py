"""Where the project's files live. Environment variables let tests and deployments point
elsewhere without touching code (CTHB_DATA_DIR, CTHB_DB)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GEO_DIR = PROJECT_ROOT / "data" / "geo"
TOPOJSON_DIR = PROJECT_ROOT / "static" / "topojson"


def data_dir() -> Path:
    return Path(os.environ.get("CTHB_DATA_DIR", PROJECT_ROOT / "data"))


def db_path() -> Path:
    return Path(os.environ.get("CTHB_DB", PROJECT_ROOT / "build" / "cthb.duckdb"))
