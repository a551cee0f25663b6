"""The privacy notice's text format: sections of plain text with placeholders.

The stored text never holds the controller's details, contacts or the retention
period: it holds placeholders such as ``{dpo_email}`` that are filled when the
page is rendered, from ``settings.ORGANISATION`` and the retention policy in
force (SPEC §5.3), so the notice and the software cannot disagree.

The format is deliberately small, so the DPO can write it in a text box and no
HTML or template code is ever stored:
- paragraphs are separated by a blank line;
- a paragraph whose every line starts with "- " is a bulleted list;
- a paragraph that is only ``{address}`` is the postal address, one line each;
  elsewhere ``{address}`` is written on one line, separated by commas.

Rendering produces plain data (blocks of text parts and links) that the
template escapes; nothing here marks text as safe.
"""

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

# Placeholder → what fills it. Email and web addresses become links.
PLACEHOLDERS = {
    "controller_name": "the data controller's name (settings ORGANISATION)",
    "service_name": "the service's name (settings ORGANISATION)",
    "dpo_email": "the Data Protection Officer's email address, as a link",
    "foi_email": "the Freedom of Information Officer's email address, as a link",
    "address": "the controller's postal address",
    "retention_sentence": "the retention promise, from the family case file retention policy",
    "ico_url": "the Information Commissioner's Office complaint page, as a link",
}


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in `text` that rendering could not fill, e.g. a typo like {dpo_mail}."""
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


@dataclass(frozen=True)
class Part:
    """A run of text, or a link when `href` is set."""

    text: str
    href: str = ""


@dataclass(frozen=True)
class Block:
    """A paragraph (`parts`), a bulleted list (`items`) or an address (`lines`)."""

    kind: str  # "paragraph" | "list" | "address"
    parts: tuple[Part, ...] = ()
    items: tuple[tuple[Part, ...], ...] = ()
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedSection:
    heading: str
    anchor: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class RenderedNotice:
    version: int
    effective_from: object  # date, or None for an unpublished draft
    title: str
    summary: tuple[Block, ...]
    sections: tuple[RenderedSection, ...] = field(default_factory=tuple)


def fill_values(*, organisation: dict, retention_sentence: str) -> dict[str, Part | tuple[str, ...]]:
    """What each placeholder becomes, from the organisation settings and the retention sentence."""
    return {
        "controller_name": Part(organisation["controller_name"]),
        "service_name": Part(organisation["service_name"]),
        "dpo_email": Part(organisation["dpo_email"], href=f"mailto:{organisation['dpo_email']}"),
        "foi_email": Part(organisation["foi_email"], href=f"mailto:{organisation['foi_email']}"),
        "address": tuple(organisation["address"]),
        "retention_sentence": Part(retention_sentence),
        "ico_url": Part(organisation["ico_url"], href=organisation["ico_url"]),
    }


def _parts(text: str, values: dict) -> tuple[Part, ...]:
    parts: list[Part] = []
    position = 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > position:
            parts.append(Part(text[position : match.start()]))
        value = values.get(match.group(1))
        if value is None:
            # Drafts are checked for unknown placeholders before publishing; this
            # keeps a stray brace in ordinary text as text.
            parts.append(Part(match.group(0)))
        elif isinstance(value, tuple):
            parts.append(Part(", ".join(value)))
        else:
            parts.append(value)
        position = match.end()
    if position < len(text):
        parts.append(Part(text[position:]))
    # Join neighbouring plain text so the template writes fewer pieces.
    merged: list[Part] = []
    for part in parts:
        if merged and not part.href and not merged[-1].href:
            merged[-1] = Part(merged[-1].text + part.text)
        else:
            merged.append(part)
    return tuple(merged)


def plain_text(text: str, values: dict) -> str:
    """`text` with placeholders filled, links written as their text (for headings and titles)."""
    return "".join(part.text for part in _parts(text, values))


def blocks(text: str, values: dict) -> tuple[Block, ...]:
    """Split a section body into paragraphs, lists and addresses, filling placeholders."""
    result = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if lines == ["{address}"] and isinstance(values.get("address"), tuple):
            result.append(Block("address", lines=values["address"]))
        elif all(line.startswith("- ") for line in lines):
            result.append(Block("list", items=tuple(_parts(line[2:].strip(), values) for line in lines)))
        else:
            result.append(Block("paragraph", parts=_parts(" ".join(lines), values)))
    return tuple(result)


def anchors(headings: list[str]) -> list[str]:
    """Unique, readable fragment ids for the contents list."""
    seen: set[str] = set()
    result = []
    for heading in headings:
        base = slugify(heading) or "section"
        anchor, n = base, 2
        while anchor in seen:
            anchor, n = f"{base}-{n}", n + 1
        seen.add(anchor)
        result.append(anchor)
    return result
