"""Property: after any import, valid or not, data/ is either unchanged or exactly the old data
plus the import (added rows appended, replaced rows rewritten in place, nothing else)."""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cthb import importer, schema, store
from cthb.importer import ImportFailed, import_file
from tests.conftest import REAL_DATA, copy_real_data
from tests.test_import import snapshot

TABLE = schema.TABLES_BY_NAME["treaty_actions"]


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [{k: v.strip() for k, v in r.items()} for r in csv.DictReader(fh)]


EXISTING = _rows(REAL_DATA / "treaty_actions.csv")
STATES = [r["iso3"] for r in _rows(REAL_DATA / "states.csv")]
SOURCES = [r["source_id"] for r in _rows(REAL_DATA / "sources.csv")][:5]
# States where a CETS 197 signature in 2015 or later contradicts nothing: no recorded action,
# and no observation saying signed/party, or "not signed" on a date from 2015 on.
_OBS = _rows(REAL_DATA / "status_observations.csv")
_TAKEN = {r["iso3"] for r in EXISTING if r["treaty"] == "COE197"} | {
    r["iso3"] for r in _OBS if r["treaty"] == "COE197" and (
        r["observed_status"] in ("party", "signed")
        or (r["observed_status"] == "not signed" and r["as_of"] >= "2015-05-05"))}
FREE = [s for s in STATES if s not in _TAKEN]
assert FREE, "the property test needs States where a new CETS 197 signature is consistent"

dates = st.sampled_from(["1999-06-01", "2001-03-15", "2004-01-01", "2006-01-01", "2009-09-09",
                         "2015-05-05", "2098-01-01", "2007-02-30"])
new_rows = st.fixed_dictionaries({
    "iso3": st.sampled_from([*STATES, "XYZ"]),
    "treaty": st.sampled_from(schema.TREATIES),
    "action": st.sampled_from(schema.TREATY_ACTIONS),
    "action_date": dates,
    "source_id": st.sampled_from([*SOURCES, "", "no-such-source"]),
    "note": st.sampled_from(["", "checked", "=HYPERLINK(\"x\")", "a, \"quoted\" note"]),
})
# Mostly-valid new facts, so that a fair share of the imports is applied.
valid_rows = st.fixed_dictionaries({
    "iso3": st.sampled_from(FREE),
    "treaty": st.just("COE197"),
    "action": st.just("signature"),
    "action_date": st.sampled_from(["2015-05-05", "2020-01-01"]),
    "source_id": st.sampled_from(SOURCES),
    "note": st.sampled_from(["", "a, \"quoted\" note"]),
})


@st.composite
def import_rows(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    """A row and its change word: new facts, or copies/edits of existing ones."""
    kind = draw(st.sampled_from(["valid", "valid", "new", "same", "edit"]))
    if kind == "valid":
        return draw(valid_rows), draw(st.sampled_from(["", "add"]))
    if kind == "new":
        row = draw(new_rows)
    else:
        row = dict(draw(st.sampled_from(EXISTING)))
        if kind == "edit":
            row["note"] = draw(st.sampled_from(["re-checked", ""]))
            row["action_date"] = draw(st.sampled_from([row["action_date"], "2001-03-15"]))
    return row, draw(st.sampled_from(["", "add", "replace"]))


def expected_after(rows: list[tuple[dict[str, str], str]]) -> list[dict[str, str]]:
    """The oracle: old rows with replacements in place, then the new rows, in file order."""
    out = [dict(r) for r in EXISTING]
    index = {importer.key_of(TABLE, r): i for i, r in enumerate(out)}
    for row, _change in rows:
        key = importer.key_of(TABLE, row)
        if key in index:
            out[index[key]] = dict(row)
        else:
            index[key] = len(out)
            out.append(dict(row))
    return out


def clearly_invalid(rows: list[tuple[dict[str, str], str]]) -> bool:
    """Imports the importer must refuse, whatever else is in them."""
    keys = [importer.key_of(TABLE, r) for r, _ in rows]
    existing = {importer.key_of(TABLE, r): r for r in EXISTING}
    for row, change in rows:
        key = importer.key_of(TABLE, row)
        if row["iso3"] == "XYZ" or row["source_id"] in ("", "no-such-source"):
            return True
        if row["action_date"] in ("2098-01-01", "2007-02-30", "1999-06-01"):
            return True
        if row["note"].startswith("="):
            return True
        if change == "replace" and key not in existing:
            return True
        if change != "replace" and key in existing and existing[key] != row:
            return True
    return len(set(keys)) != len(keys)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("pristine") / "data"
    copy_real_data(target)
    return target


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(import_rows(), min_size=1, max_size=3))
def test_unchanged_or_old_plus_import(rows: list[tuple[dict[str, str], str]], pristine: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # The database is rebuilt by a separate, separately tested step (tests/test_import.py,
    # tests/test_import_crash.py); here only data/ is the subject, so skip the slow build.
    monkeypatch.setattr(store, "build", lambda _data_dir, _db_path: None)
    with tempfile.TemporaryDirectory() as tmp:
        data, db = Path(tmp) / "data", Path(tmp) / "db" / "cthb.duckdb"
        shutil.copytree(pristine, data)
        before = snapshot(data)
        old_text = (data / TABLE.filename).read_bytes()
        f = Path(tmp) / "import.csv"
        with open(f, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow([*TABLE.column_names, "change"])
            for row, change in rows:
                w.writerow([row[c] for c in TABLE.column_names] + [change])
        try:
            outcome = import_file(f, data, db)
        except ImportFailed as exc:
            event("refused")
            assert exc.problems
            assert snapshot(data) == before
            return
        assert not clearly_invalid(rows)
        assert not importer.pending(data)
        event("no change" if outcome.version is None else "applied")
        if outcome.version is None:  # every row was already there word for word
            assert snapshot(data) == before
            return
        assert _rows(data / TABLE.filename) == expected_after(rows)
        # Unchanged rows keep their bytes: with no replacement, the old file is a prefix.
        if not any(c == "replace" for _, c in rows):
            assert (data / TABLE.filename).read_bytes().startswith(old_text)
        after = snapshot(data)
        changed = {k for k in after if before.get(k) != after[k]}
        assert changed == {str(data / TABLE.filename), str(data / "changelog.csv"),
                           str(data / "history" / outcome.version / TABLE.filename)}
