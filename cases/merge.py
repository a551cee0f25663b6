"""Merging two records of the same person (issue 3: "a merge of two person records that keeps
every link and the history of both").

A team manager who finds the same person twice (the duplicate check, SPEC §4.4) merges the
second record into the first. In one transaction:

- every row that points at the merged-away person is moved to the kept person: memberships,
  documents, external data, consent records and opt-outs, sharing and participation records,
  legal holds, requests; and their presence in case notes (people present and mentioned);
- identifiers the kept record lacks (UPN, NHS and National Insurance numbers, date of birth,
  contact details) are filled from the other record;
- the merged-away Person row is deleted. Its change history stays, with a "deleted" row holding
  every field, and a `PersonMerge` row records which id went into which, by whom and why.

Refused, with a clear reason, when identifiers conflict (different NHS numbers, UPNs, National
Insurance numbers or dates of birth: two people, not one) or when either person belongs to a
family the manager may not change.

Consent records and education opt-outs are append-only (SPEC §5.2): their `save()` and their
queryset's `update()` refuse changes. The merge is the one sanctioned exception: `_move_rows`
re-points them with django-simple-history's bulk helper on the base manager, only inside the
merge's transaction, and every moved row gains a history row with the change reason
"person merge <id>". Nothing about the decision itself changes, only whose record it is on.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from simple_history.utils import bulk_update_with_history

from cases.access import families_changeable_by
from cases.models import Membership, Person, PersonMerge
from fss.core.models import AccessLogEntry
from fss.core.services import log_access
from sar.restriction import refuse_if_restricted

# Identifiers that must agree when both records hold them: two values mean two people.
CONFLICTING_IDENTIFIERS = {
    "nhs_number": "NHS numbers",
    "upn": "unique pupil numbers",
    "ni_number": "National Insurance numbers",
    "date_of_birth": "dates of birth",
}
# Filled on the kept record from the merged-away one when the kept record has none.
FILLED_FIELDS = [
    "nhs_number",
    "upn",
    "ni_number",
    "date_of_birth",
    "expected_date_of_birth",
    "preferred_name",
    "first_language",
    "phone",
    "email",
    "date_of_death",
]


def conflicts(keep: Person, other: Person) -> list[str]:
    """The identifiers on which the two records disagree (both recorded, different values)."""
    found = []
    for name, label in CONFLICTING_IDENTIFIERS.items():
        a, b = getattr(keep, name), getattr(other, name)
        if a and b and a != b:
            found.append(label)
    return found


def merge_candidates(user, person: Person) -> list[Person]:
    """Other people the user may see who could be `person` (the duplicate check's rule)."""
    from cases.duplicates import possible_duplicates

    return [
        candidate
        for candidate in possible_duplicates(
            user,
            given_name=person.given_name,
            family_name=person.family_name,
            date_of_birth=person.date_of_birth,
        )
        if candidate.pk != person.pk
    ]


def _families_of(person: Person) -> set[int]:
    return set(Membership.objects.filter(person=person).values_list("family_id", flat=True))


def check_merge(*, keep: Person, other: Person, by) -> None:
    """Raise PermissionDenied or ValidationError when `by` may not merge `other` into `keep`."""
    if not by.has_perm("cases.merge_person"):
        raise PermissionDenied("Only a team manager can merge records.")
    families = _families_of(keep) | _families_of(other)
    changeable = set(families_changeable_by(by).filter(pk__in=families).values_list("pk", flat=True))
    if families - changeable:
        raise ValidationError(
            "You can only merge people whose families your team holds. "
            "Ask the manager of the other team, or the DPO, to help."
        )
    if keep.pk == other.pk:
        raise ValidationError("Choose two different records.")
    refuse_if_restricted(keep, other, what="a merge of their records")  # SPEC §8.2
    found = conflicts(keep, other)
    if found:
        raise ValidationError(
            f"These records have different {', '.join(found)}, so they are two people. "
            "Correct the wrong record first if one of them is a mistake."
        )


def _person_relations():
    """Every foreign key and many-to-many field from another live model to Person."""
    fks, m2ms = [], []
    for rel in Person._meta.related_objects:
        model = rel.related_model
        if getattr(model, "instance_type", None) is not None:  # a history model
            continue
        if model is PersonMerge:
            continue
        if rel.many_to_many:
            m2ms.append(rel)
        else:
            fks.append(rel)
    return fks, m2ms


def _move_rows(model, fields: list[str], *, keep: Person, other: Person, by, merge_id: int) -> dict:
    """Re-point `fields` of `model` from `other` to `keep`, with a history row for each moved row.

    All of a row's fields move in one write: a consent record decided by the person it is
    about must name the same person in both fields at every moment (its check constraint).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Rows are re-pointed only inside the merge's transaction.")
    condition = models.Q()
    for field in fields:
        condition |= models.Q(**{field: other})
    rows = list(model._base_manager.filter(condition))
    counts: dict[str, int] = {}
    for row in rows:
        for field in fields:
            if getattr(row, f"{field}_id") == other.pk:
                setattr(row, field, keep)
                key = f"{model._meta.label_lower}.{field}"
                counts[key] = counts.get(key, 0) + 1
    if not rows:
        return counts
    if hasattr(model, "history"):
        bulk_update_with_history(
            rows,
            model,
            fields,
            manager=model._base_manager,
            default_user=by,
            default_change_reason=f"person merge {merge_id}",
        )
    else:
        for row in rows:
            model._base_manager.filter(pk=row.pk).update(**{f: getattr(row, f) for f in fields})
    return counts


def _move_memberships(*, keep: Person, other: Person, by, moved: dict) -> None:
    kept_families = {m.family_id: m for m in Membership.objects.filter(person=keep)}
    for membership in Membership.objects.filter(person=other):
        existing = kept_families.get(membership.family_id)
        membership._history_user = by
        if existing is None:
            membership.person = keep
            membership.save()
            moved["cases.membership"] = moved.get("cases.membership", 0) + 1
            continue
        # Both records were members of the same family: one membership stays, with the earlier
        # start and parental responsibility if either held it; the other's history remains.
        existing.start_date = min(existing.start_date, membership.start_date)
        existing.has_parental_responsibility |= membership.has_parental_responsibility
        membership.delete()
        existing._history_user = by
        existing.save()
        moved["cases.membership (joined)"] = moved.get("cases.membership (joined)", 0) + 1


@transaction.atomic
def merge_people(*, keep: Person, other: Person, reason: str, by, request=None) -> PersonMerge:
    """Merge `other` into `keep`: every link moves, identifiers fill, `other` goes, history stays."""
    # Lock both rows so two managers cannot merge the same pair at once.
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, other.pk])}
    if len(locked) != 2:
        raise ValidationError("One of these records has already been merged or removed.")
    keep, other = locked[keep.pk], locked[other.pk]
    check_merge(keep=keep, other=other, by=by)
    if not reason.strip():
        raise ValidationError({"reason": "Say why these records are the same person."})

    merge = PersonMerge.objects.create(
        kept_person=keep, merged_person_id=other.pk, merged_by=by, reason=reason
    )
    moved: dict[str, int] = {}
    _move_memberships(keep=keep, other=other, by=by, moved=moved)
    fks, m2ms = _person_relations()
    by_model: dict[type, list[str]] = {}
    for rel in fks:
        if rel.related_model is not Membership:
            by_model.setdefault(rel.related_model, []).append(rel.field.name)
    for model, fields in by_model.items():
        moved |= _move_rows(model, fields, keep=keep, other=other, by=by, merge_id=merge.pk)
    for rel in m2ms:
        accessor = rel.field.name
        for row in rel.related_model._base_manager.filter(**{accessor: other}):
            row._history_user = by
            getattr(row, accessor).remove(other)
            getattr(row, accessor).add(keep)
            key = f"{rel.related_model._meta.label_lower}.{accessor}"
            moved[key] = moved.get(key, 0) + 1

    filled = []
    for name in FILLED_FIELDS:
        if not getattr(keep, name) and getattr(other, name):
            filled.append(name)
            setattr(keep, name, getattr(other, name))
    if keep.date_of_birth and keep.expected_date_of_birth:
        keep.expected_date_of_birth = None  # born since the other record was made
    if other.has_send and not keep.has_send:
        keep.has_send = True
        filled.append("has_send")
    if other.has_ehc_plan and not keep.has_ehc_plan:
        keep.has_ehc_plan = True
        filled.append("has_ehc_plan")
    if other.send_details and other.send_details not in keep.send_details:
        keep.send_details = "\n".join(part for part in (keep.send_details, other.send_details) if part)
        filled.append("send_details")
    names = [n.strip() for n in keep.other_names.split(",") if n.strip()]
    for name in [f"{other.given_name} {other.family_name}", *other.other_names.split(",")]:
        name = name.strip()
        if name and name != f"{keep.given_name} {keep.family_name}" and name not in names:
            names.append(name)
    keep.other_names = ", ".join(names)[:300]
    keep._history_user = by
    keep.save()

    other._history_user = by
    other.delete()  # history keeps a "deleted" row with every field; the merge says where it went

    merge.moved = moved
    merge.identifiers_filled = filled
    merge.save(update_fields=["moved", "identifiers_filled"])
    family_id = next(iter(_families_of(keep)), None)
    log_access(
        by=by,
        record=keep,
        action=AccessLogEntry.Action.CHANGE,
        request=request,
        family_id=family_id,
        person_id=keep.pk,
        reason=f"merged person {merge.merged_person_id} into this record",
    )
    return merge
