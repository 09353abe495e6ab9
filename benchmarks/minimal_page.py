"""The baseline for benchmarks/bench_map.py: a Streamlit page that only shows one precomputed
figure (the whole-region map, written by the benchmark to CTHB_BENCH_FIGURE). Whatever the map
page costs beyond this is the price of its controls, tables and figure building."""

import os
import sys
from pathlib import Path

import plotly.io as pio
import streamlit as st

# Streamlit puts the script's folder on the path, not the project; and it serves static files
# from beside the script, so bench_map.py runs a copy of this page next to a copy of static/.
sys.path.insert(0, os.environ.get("CTHB_PROJECT_ROOT", str(Path(__file__).resolve().parent.parent)))
from cthb.webapp import PLOTLY_CONFIG

FIGURE = Path(os.environ.get("CTHB_BENCH_FIGURE", "build/bench/map_figure.json"))


@st.cache_resource(show_spinner=False)
def _figure(path: str) -> object:
    return pio.from_json(Path(path).read_text(encoding="utf-8"), skip_invalid=True)


st.plotly_chart(_figure(str(FIGURE)), width="stretch", config=PLOTLY_CONFIG)
