"""Finding other people named in SAR material, and applying the reviewer's redactions (SPEC §8.1).

Third-party information may be withheld unless disclosure is reasonable (DPA
2018 Sch 2 para 16); naming professionals acting in their role is normally
reasonable (domain-rules §2). So names are proposed with a suggestion:
family members, other people known to the service, referrers who are not
professionals and names with a title ("Mrs Patel") are proposed for
withholding; staff and partner practitioners are highlighted but disclosed
unless the reviewer decides otherwise.

Matching uses the same name keys as search (`cases.search_keys.name_key`): case,
accents, apostrophes and hyphens do not matter. A single word (a first name on
its own) matches only when written with a capital, so "will" the verb is not
"Will" the brother. The subject's own names are never proposed.

Pure functions: the compilation builds a `NameIndex` and calls `find_names`;
the package calls `segments` to render what was decided.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cases.search_keys import name_key

# A word of a name: letters, with apostrophes inside (O'Brien, D'Arcy). Hyphens and spaces separate words.
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019\u2018][^\W\d_]+)*")
# Mr, Mrs... followed by one or two capitalised words: a name the system may not know.
_TITLED = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Nan|Grandma|Grandad|Aunt|Auntie|Uncle)\.?\s+"
    r"(?:[A-Z][\w'\u2019-]+)(?:\s+[A-Z][\w'\u2019-]+)?"
)
MAX_WORDS = 4
# The shortest single word proposed on its own: "Al" and "Jo" are names, "A" is not.
MIN_SINGLE_WORD = 2


@dataclass(frozen=True)
class Named:
    """Who a name belongs to and what to suggest."""

    reason: str
    suggestion: str
    person_id: int | None = None


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    text: str
    named: Named


@dataclass
class NameIndex:
    """Name keys (as word tuples) to whom they name; the subject's own keys are excluded."""

    entries: dict[tuple[str, ...], Named] = field(default_factory=dict)
    excluded: set[tuple[str, ...]] = field(default_factory=set)
    # Single words that are ambiguous (the subject shares the first name): never matched alone.
    excluded_words: set[str] = field(default_factory=set)

    def exclude(self, name: str, *, alone_too: bool = True) -> None:
        """Never propose `name` (the subject's own names); with `alone_too`, nor its first word alone."""
        words = tuple(name_key(name).split())
        if words:
            self.excluded.add(words)
            if alone_too:
                self.excluded_words.add(words[0])

    def add(self, name: str, named: Named, *, priority: bool = False) -> None:
        """Index `name`; an earlier entry wins unless `priority` (a family member beats a namesake)."""
        words = tuple(name_key(name).split())[:MAX_WORDS]
        if not words or words in self.excluded:
            return
        if len(words) == 1 and (words[0] in self.excluded_words or len(words[0]) < MIN_SINGLE_WORD):
            return
        if priority or words not in self.entries:
            self.entries[words] = named

    def lookup(self, words: tuple[str, ...]) -> Named | None:
        if words in self.excluded:
            return None
        return self.entries.get(words)

    def __len__(self):
        return len(self.entries)


def words(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, key, capitalised) for each word of `text`."""
    found = []
    for match in _WORD.finditer(text):
        key = name_key(match.group())
        if key and " " not in key:
            found.append((match.start(), match.end(), key, match.group()[0].isupper()))
    return found


def find_names(text: str, index: NameIndex, *, titled: Named | None = None) -> list[Match]:
    """Every name in `text` that the index knows, longest first, never overlapping.

    With `titled`, a titled name the index does not know ("Mrs Okafor") is proposed too.
    """
    if not text:
        return []
    tokens = words(text)
    matches: list[Match] = []
    taken: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        for size in range(min(MAX_WORDS, len(tokens) - i), 0, -1):
            window = tokens[i : i + size]
            # Words of one name are next to each other: only spaces, hyphens or dots between them.
            if any(text[a[1] : b[0]].strip(" -.\u00a0") for a, b in zip(window, window[1:], strict=False)):
                continue
            if size == 1 and not window[0][3]:
                continue
            named = index.lookup(tuple(w[2] for w in window))
            if named is None:
                continue
            start, end = window[0][0], window[-1][1]
            matches.append(Match(start, end, text[start:end], named))
            taken.append((start, end))
            i += size
            break
        else:
            i += 1
    if titled is not None:
        for found in _TITLED.finditer(text):
            start, end = found.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            name_words = tuple(name_key(found.group()).split()[1:])
            if name_words in index.excluded or (
                len(name_words) == 1 and name_words[0] in index.excluded_words
            ):
                continue
            matches.append(Match(start, end, text[start:end], titled))
            taken.append((start, end))
    return sorted(matches, key=lambda m: m.start)


def occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Where `needle` appears in `text`, ignoring case (for a reviewer's own redaction)."""
    if not needle.strip():
        return []
    return [(m.start(), m.end()) for m in re.finditer(re.escape(needle.strip()), text, re.IGNORECASE)]


@dataclass(frozen=True)
class Segment:
    """A run of a field's text: shown as it is, or withheld with the ground's mark."""

    text: str
    withheld: bool = False
    mark: str = ""


def segments(text: str, spans: Iterable[tuple[int, int, str]]) -> list[Segment]:
    """Split `text` around the withheld `spans` (start, end, mark); overlapping spans merge.

    The withheld text itself never reaches the output: a withheld segment
    carries only its mark.
    """
    merged: list[list] = []
    for start, end, mark in sorted(spans):
        start, end = max(0, start), min(len(text), end)
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if mark not in merged[-1][2]:
                merged[-1][2].append(mark)
        else:
            merged.append([start, end, [mark]])
    out: list[Segment] = []
    position = 0
    for start, end, marks in merged:
        if start > position:
            out.append(Segment(text[position:start]))
        out.append(Segment("", withheld=True, mark=", ".join(sorted(marks))))
        position = end
    if position < len(text):
        out.append(Segment(text[position:]))
    return out


def redacted_text(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """`text` with each withheld span replaced by "[withheld: mark]" (the JSON and CSV form)."""
    return "".join(
        f"[withheld: {segment.mark}]" if segment.withheld else segment.text
        for segment in segments(text, spans)
    )
