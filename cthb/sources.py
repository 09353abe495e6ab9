"""Sources as readers see them: one way to name a source everywhere (pages, tables, PDF, slides),
with its kind shown beside it, so a delegation can weigh each fact by what it rests on.

Kinds (cthb.schema.SOURCE_KINDS) rank from the depositary's own record down to the media; a
`copy` is named by the document it copies ("copy of an official document").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from cthb.facts import Facts, Record
from cthb.i18n import t


@dataclass(frozen=True)
class SourceRef:
    """A cited source, as every output shows it."""

    source_id: str
    title: str
    publisher: str
    url: str = ""
    locator: str = ""
    published: str = ""
    kind: str = ""
    original_kind: str = ""

    @property
    def host(self) -> str:
        return urlparse(self.url).hostname or "" if self.url else ""


def _text(value: object) -> str:
    return "" if value is None else str(value)


def ref_of(source_id: str, src: Record | None) -> SourceRef:
    if src is None:
        return SourceRef(source_id, source_id, "")
    return SourceRef(source_id, _text(src.get("title")) or source_id, _text(src.get("publisher")),
                     _text(src.get("url")), _text(src.get("locator")),
                     _text(src.get("published")), _text(src.get("kind")),
                     _text(src.get("original_kind")))


def source_refs(facts: Facts, source_ids: Iterable[str | None]) -> tuple[SourceRef, ...]:
    """The cited sources behind something shown, each once, in first-seen order."""
    return tuple(ref_of(sid, facts.source(sid))
                 for sid in dict.fromkeys(str(s) for s in source_ids if s))


def kind_label(ref: SourceRef, lang: str) -> str:
    """"Depositary", "Official", ... or "Copy of an official document"."""
    if not ref.kind:
        return ""
    if ref.kind == "copy" and ref.original_kind:
        return t("source_kind.copy_of", lang,
                 original=t(f"source_kind.of_{ref.original_kind}", lang))
    return t(f"source_kind.{ref.kind}", lang)


def source_text(ref: SourceRef, lang: str = "en", *, with_id: bool = True,
                with_url: bool = True) -> str:
    """`id [Kind]: Title (Publisher, 2024-05-04), locator url` as plain text."""
    badge = kind_label(ref, lang)
    head = ref.source_id if with_id else ""
    if badge:
        head = f"{head} [{badge}]".strip()
    text = f"{head}: {ref.title}" if head else ref.title
    details = ", ".join(p for p in (ref.publisher, ref.published) if p)
    if details:
        text += f" ({details})"
    if ref.locator:
        text += f", {ref.locator}"
    if ref.kind == "copy" and ref.host:
        text += " " + t("source_kind.read_at", lang)
    if with_url and ref.url:
        text += f" {ref.url}"
    return text


def cite(facts: Facts, source_id: str | None, lang: str = "en") -> str:
    """A source id with its kind, for a table cell: "untc-xviii-12 · Depositary"."""
    if not source_id:
        return ""
    badge = kind_label(ref_of(source_id, facts.source(source_id)), lang)
    return f"{source_id} · {badge}" if badge else source_id
