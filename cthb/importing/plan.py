"""Planning an import: merge its rows into the current files as text, validate the merged
data, and say what would change (added / changed / removed rows, per table). Writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cthb import schema
from cthb.importing.csvtext import Record, csv_line, key_of, split_csv
from cthb.importing.read import ImportFile
from cthb.importing.rows import ImportRow
from cthb.validate import Problem, check_keys, check_references, check_semantics, parse_rows


@dataclass
class TableDiff:
    added: list[dict[str, str]] = field(default_factory=list)
    changed: list[tuple[dict[str, str], dict[str, tuple[str, str]]]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Plan:
    """What an import or restore would do. `problems` empty means it can be applied."""

    source: str
    sha256: str
    old_texts: dict[str, str]  # file name -> current text, for every file that changes
    new_texts: dict[str, str]  # file name -> new text
    diff: dict[str, TableDiff]
    problems: list[Problem]

    @property
    def counts(self) -> tuple[int, int, int]:
        return (sum(len(d.added) for d in self.diff.values()),
                sum(len(d.changed) for d in self.diff.values()),
                sum(len(d.removed) for d in self.diff.values()))

    def summary(self) -> str:
        parts = [f"{name}: +{len(d.added)} ~{len(d.changed)} -{len(d.removed)}"
                 for name, d in self.diff.items() if d.added or d.changed or d.removed]
        return "; ".join(parts) or "no change"


def read_data_texts(data_dir: Path) -> dict[str, str]:
    """Current text of every fact table (missing files are simply absent)."""
    texts = {}
    for table in schema.TABLES:
        path = data_dir / table.filename
        if path.exists():
            texts[table.name] = path.read_bytes().decode("utf-8")
    return texts


def validate_texts(texts: dict[str, str]) -> list[Problem]:
    """cthb.validate's checks over in-memory file texts (table name -> CSV text)."""
    parsed = {}
    problems: list[Problem] = []
    for table in schema.TABLES:
        text = texts.get(table.name)
        if text is None:
            problems.append(Problem(table.filename, None, None, None, "file is missing"))
            continue
        rows, row_problems = parse_rows(table, text.lstrip("\ufeff"), table.filename)
        problems += row_problems + check_keys(table, rows, table.filename)
        parsed[table.name] = rows
    problems += check_references(parsed)
    problems += check_semantics(parsed)
    return problems


def diff_texts(table: schema.Table, old: str, new: str) -> TableDiff:
    """Added / changed / removed rows between two versions of a table, matched by key."""
    def index(text: str) -> dict[tuple[str, ...], dict[str, str]]:
        return {key_of(table, r.values): r.values for r in split_csv(text).records}

    before, after = index(old), index(new)
    diff = TableDiff()
    for key, values in after.items():
        if key not in before:
            diff.added.append(values)
        elif values != before[key]:
            cols = dict.fromkeys([*before[key], *values])
            delta = {c: (before[key].get(c, ""), values.get(c, "")) for c in cols
                     if before[key].get(c, "") != values.get(c, "")}
            diff.changed.append((values, delta))
    diff.removed = [values for key, values in before.items() if key not in after]
    return diff


def plan_import(imp: ImportFile, data_dir: Path) -> Plan:
    """Merge the import into the current files and validate the result; writes nothing."""
    current = read_data_texts(data_dir)
    problems: list[Problem] = []
    new_texts: dict[str, str] = {}
    # merged file line -> import row it came from, per table
    origins: dict[str, dict[int, ImportRow]] = {}
    by_table: dict[str, list[ImportRow]] = {}
    for row in imp.rows:
        by_table.setdefault(row.table, []).append(row)
    for tname, rows in by_table.items():
        table = schema.TABLES_BY_NAME[tname]
        old = split_csv(current.get(tname, ",".join(table.column_names) + "\n"))
        columns = old.columns or table.column_names
        existing = {key_of(table, r.values): i for i, r in enumerate(old.records)}
        records = list(old.records)
        came_from: dict[int, ImportRow] = {}  # index in records -> import row
        for row in rows:
            key = key_of(table, row.values)
            shown = ", ".join(f"{c}={v}" for c, v in zip(table.key, key, strict=True))
            at = existing.get(key) if all(key) else None
            if at is not None:
                old_values = {c: old.records[at].values.get(c, "") for c in table.column_names}
                if old_values == row.values:
                    continue  # already there, word for word: nothing to do
                if row.change == "add":
                    differs = [c for c in table.column_names if old_values[c] != row.values[c]]
                    was = ", ".join(f"{c}={old_values[c]!r}" for c in differs)
                    problems.append(Problem(
                        row.where, row.line, ",".join(table.key), shown,
                        f"contradicts an existing fact ({table.filename} line "
                        f"{old.records[at].line}: {was}); mark it `replace` to replace it"))
                    continue
                records[at] = Record(csv_line(columns, row.values), row.values, 0)
                came_from[at] = row
            elif row.change == "replace":
                problems.append(Problem(row.where, row.line, ",".join(table.key), shown,
                                        f"replace: no existing row with this key in "
                                        f"{table.filename}"))
            else:
                came_from[len(records)] = row
                records.append(Record(csv_line(columns, row.values), row.values, 0))
        text = old.render(records)
        if text != current.get(tname):
            new_texts[tname] = text
        # Line numbers in the merged text, as parse_rows will report them.
        merged = split_csv(text)
        origins[tname] = {merged.records[i].line: r for i, r in came_from.items()}

    merged_texts = {**current, **new_texts}
    old_problems = {(p.file, p.line, p.column, p.value, p.message)
                    for p in validate_texts(current)} if new_texts else set()
    for p in validate_texts(merged_texts) if new_texts else []:
        tname = p.file.removesuffix(".csv")
        origin = origins.get(tname, {}).get(p.line) if p.line is not None else None
        if origin is not None:
            problems.append(Problem(origin.where, origin.line, p.column, p.value, p.message))
        elif (p.file, p.line, p.column, p.value, p.message) not in old_problems:
            # An existing row that the import makes invalid (e.g. an observation that a new
            # dated action contradicts): name the data file, it is the import's doing.
            problems.append(Problem(f"data/{p.file}", p.line, p.column, p.value,
                                    p.message + " (after this import)"))
    problems = list(dict.fromkeys(problems))
    diff = {}
    for tname, text in new_texts.items():
        diff[tname] = diff_texts(schema.TABLES_BY_NAME[tname], current.get(tname, ""), text)
    return Plan(
        source=imp.name, sha256=imp.sha256,
        old_texts={schema.TABLES_BY_NAME[t].filename: current.get(t, "") for t in new_texts},
        new_texts={schema.TABLES_BY_NAME[t].filename: text for t, text in new_texts.items()},
        diff=diff, problems=problems)


def format_diff(plan: Plan) -> str:
    """A readable diff: + added, ~ changed (old → new per column), - removed."""
    lines = []
    for tname, d in plan.diff.items():
        table = schema.TABLES_BY_NAME[tname]
        lines.append(f"{table.filename}: {len(d.added)} added, {len(d.changed)} changed, "
                     f"{len(d.removed)} removed")

        def label(values: dict[str, str], table: schema.Table = table) -> str:
            return " ".join(values.get(c, "") for c in table.key)

        for values in d.added:
            rest = ", ".join(f"{c}={v}" for c, v in values.items() if v and c not in table.key)
            lines.append(f"  + {label(values)}: {rest}")
        for values, delta in d.changed:
            for c, (a, b) in delta.items():
                lines.append(f"  ~ {label(values)}: {c}: {a!r} → {b!r}")
        for values in d.removed:
            lines.append(f"  - {label(values)}")
    return "\n".join(lines) if lines else "no change: every row is already in the data"
