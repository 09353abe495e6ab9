"""Imports of new and corrected facts into data/, all-or-nothing, with a changelog and undo.

One module per job (the public entry points are re-exported by cthb.importer):

    rows.py      the import format: importable tables, the `change` column, the size limits,
                 cell rows -> ImportRow
    read.py      reading an import file with a hard byte limit (regular files, pipes and
                 devices alike); CSV
    xlsx.py      XLSX workbooks, bounded before anything is parsed (uncompressed size, parts,
                 sheets, DTDs), then read cell by cell within row/column/cell limits
    csvtext.py   CSV text that keeps every untouched byte (split into records, render back)
    plan.py      merge an import into the current files, validate the merged data, diff
    lock.py      the data directory's lock: one writer at a time, whatever database it uses
    commit.py    the atomic apply protocol (stage, journal, roll forward), recovery, changelog
    apply.py     import_file: read, lock, plan, commit
    restore.py   the changelog's versions and restoring one of them
    cli.py       `python -m cthb import` / `restore`

Format (also produced by the profile page's "suggest a correction"): a UTF-8 CSV file whose
header is one importable table's columns (cthb.schema) plus an optional column `change` =
`add` (default) or `replace` (replaces the existing row with the same key); or an XLSX
workbook with one sheet per table, each named exactly like the table.

Validation comes first and reports every problem at once. The import rows are merged into the
current files as text (unchanged rows keep their exact bytes, new rows are appended, replaced
rows are rewritten in place), and the *merged* dataset goes through cthb.validate; problems on
merged lines that came from the import are reported with the import file's row numbers.

Applying: several files change (the tables, changelog.csv, history/), so single-file atomic
renames are not enough. The protocol, with its one commit point:

1. Stage: write every new file, and a copy of every file it replaces, into
   `data/.staging-<version>/` (fsync each file and the directory). A kill here leaves only a
   staging directory, which recovery deletes: the old data/ and database stand.
2. Commit: write `data/.journal.json` naming the staging directory and its files (temp file,
   fsync, os.replace, fsync data/). Once this rename has happened the import is decided.
3. Roll forward (idempotent, so it can be repeated after a kill): move the staged history
   into `data/history/<version>/`, os.replace each staged file over its data/ file, fsync
   data/, rebuild the database (cthb.store.build writes a new file and os.replace's it), then
   delete the journal and the staging directory.

Recovery runs before every CLI command and before the app checks its database
(cthb.current.ensure_current): a journal is rolled forward, a staging directory without a journal is
deleted. If data/ cannot be written, recovery says so (path and permission) and readers keep
serving the database as it was built; writers refuse at once.

Locking: every writer, whatever its database path (CTHB_DB), holds an exclusive flock on
`data/.cthb.lock` from validation to the end; a reader that wants to rebuild its database
takes it shared and, while an import runs, keeps serving its current database instead of
building one from half-renamed files. Several app processes with their own databases over one
data/ (the multi-process deployment) therefore never lose an import.

Each applied import or restore appends a row to `data/changelog.csv` (outside the fact tables,
so it does not change the data version) and keeps the previous version of each changed table
under `data/history/<version>/`; `python -m cthb restore <version>` brings those back, and
refuses (unless --force) when later changes to the same tables would be undone with them.
"""
