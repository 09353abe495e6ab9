"""Placeholder: this page is being built (see the issue tracker)."""

import streamlit as st

st.info("This page is not built yet.")
