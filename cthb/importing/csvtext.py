"""CSV text that keeps every untouched byte: a file split into records with their exact source
text, so that merging an import rewrites only the rows it changes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from cthb import schema


@dataclass(frozen=True)
class Record:
    raw: str  # the record's exact text, including its line end
    values: dict[str, str]
    line: int  # last physical line of the record (what csv.reader's line_num reports)


@dataclass(frozen=True)
class CsvText:
    bom: bool
    header_raw: str
    columns: tuple[str, ...]
    records: tuple[Record, ...]

    def render(self, records: list[Record] | tuple[Record, ...] | None = None) -> str:
        recs = self.records if records is None else records
        parts = [self.header_raw if self.header_raw.endswith("\n") else self.header_raw + "\n"]
        for rec in recs:
            parts.append(rec.raw if rec.raw.endswith("\n") else rec.raw + "\n")
        return ("\ufeff" if self.bom else "") + "".join(parts)


def split_csv(text: str) -> CsvText:
    """Records of a CSV text with their exact source text (a quoted cell may span lines)."""
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    pieces = text.split("\n")
    lines = [p + "\n" for p in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    consumed: list[str] = []

    def feed() -> Iterator[str]:
        for line in lines:
            consumed.append(line)
            yield line

    reader = csv.reader(feed())
    try:
        header = next(reader)
    except StopIteration:
        return CsvText(bom, "", (), ())
    header_raw = "".join(consumed)
    consumed.clear()
    columns = tuple(h.strip() for h in header)
    records: list[Record] = []
    for cells in reader:
        raw = "".join(consumed)
        consumed.clear()
        if not any(c.strip() for c in cells):
            # Blank lines stay where they are (as part of the next record's text).
            if records:
                last = records[-1]
                records[-1] = Record(last.raw + raw, last.values, last.line)
            else:
                header_raw += raw
            continue
        values = {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)}
        records.append(Record(raw, values, reader.line_num))
    return CsvText(bom, header_raw, columns, tuple(records))


def csv_line(columns: tuple[str, ...], values: dict[str, str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values.get(c, "") for c in columns])
    return out.getvalue()


def key_of(table: schema.Table, values: dict[str, str]) -> tuple[str, ...]:
    return tuple(values.get(c, "").strip() for c in table.key)
