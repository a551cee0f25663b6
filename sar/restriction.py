"""A restriction of processing, enforced on changes (UK GDPR Art 18; SPEC §8.2).

While a restriction is in force "nothing is disclosed or changed except storage and
safeguarding". The sharing check refuses disclosures (sharing.services); the services that
change a person's record call `refuse_if_restricted` first, so the refusal is the same
everywhere and leaves everything as it was.

What still goes ahead (Art 18(2): storage, and the protection of another person's rights):
- storage: keeping the record, recording where paper files are, retention and legal holds;
- safeguarding: a case note or document naming the person is allowed when it is marked
  sensitive, which is how a safeguarding record is kept (the refusal says so);
- the person's own instructions: consent and its withdrawal, an education opt-out, and the
  rights requests themselves (lifting the restriction included) are not refused;
- family-level work (assessments, plans, reviews, outcomes) names no one and goes ahead.
What is refused: changing their details, adding them to a family, merging their record with
another, a note or document about them not marked sensitive, and imported external data
about them (those rows are shown as errors in the import preview and never saved).
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

# No names in the message (it may reach a log): the family page's "Restricted" flag says who.
RESTRICTED = (
    "{who} under a restriction of processing: {what} cannot be recorded until it is lifted. "
    "Ask the Data Protection Officer."
)
SAFEGUARDING_HINT = " If this is for safeguarding, mark it sensitive: safeguarding records are still kept."
IMPORT_ROW_RESTRICTED = (
    "The person is under a restriction of processing: nothing is recorded about them until it is lifted"
)


def restricted_people(people: Iterable, *, on: date | None = None) -> list:
    """The people among `people` (Person instances) under a restriction in force on `on` (today)."""
    from sar.selectors import restrictions_in_force

    people = [person for person in people if person is not None]
    if not people:
        return []
    on = on or timezone.localdate()
    ids = set(restrictions_in_force(on=on).filter(subject__in=people).values_list("subject_id", flat=True))
    return [person for person in people if person.pk in ids]


def refuse_if_restricted(
    *people, what: str, safeguarding: bool | None = None, field: str | None = None, on: date | None = None
) -> None:
    """Raise a ValidationError (saying how many, not who) if any of `people` is restricted.

    `people` are Person instances or iterables of them. `safeguarding`: None where the change can
    never be a safeguarding record; False/True for a note or document (True lets it through).
    """
    if safeguarding:
        return
    flat = []
    for item in people:
        if item is None:
            continue
        if isinstance(item, (list, tuple, set)) or hasattr(item, "model"):
            flat.extend(item)
        else:
            flat.append(item)
    found = restricted_people(flat, on=on)
    if not found:
        return
    who = (
        "This person is"
        if len(flat) == 1
        else f"{len(found)} of the people named {'is' if len(found) == 1 else 'are'}"
    )
    message = RESTRICTED.format(who=who, what=what)
    if safeguarding is False:
        message += SAFEGUARDING_HINT
    raise ValidationError({field: message} if field else message)


def mark_restricted_import_rows(rows: list) -> list:
    """Rows of an external data import matched to a restricted person become errors (never saved)."""
    from cases.models import Person

    matched = {row.person_id for row in rows if getattr(row, "person_id", None)}
    if not matched:
        return rows
    restricted = {person.pk for person in restricted_people(Person.objects.filter(pk__in=matched))}
    for row in rows:
        if row.person_id in restricted:
            row.errors.append(IMPORT_ROW_RESTRICTED)
            row.status = "error"
    return rows
