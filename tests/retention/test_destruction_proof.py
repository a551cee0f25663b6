"""Destruction is real (SPEC §2.4, §7): after the sweep, a dump of the whole database — every app,
history and link tables included, encrypted fields decrypted — holds no trace of the destroyed
people, while families not due, held, in their notice period, or sharing a member are intact."""

import io
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.db import connection

from cases import services as case_services
from cases.models import Family, Membership, Person
from retention import services
from retention.models import DestructionRecord, LegalHold, SweepRun
from sar.factories import SubjectAccessRequestFactory
from tests.retention.conftest import list_for_destruction

pytestmark = pytest.mark.django_db


def database_text() -> str:
    """Everything the database holds, as text: dumpdata (decrypts encrypted fields) and every table raw."""
    out = io.StringIO()
    call_command("dumpdata", use_base_manager=True, stdout=out)
    parts = [out.getvalue()]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names
            parts.extend(" | ".join(str(value) for value in row) for row in cursor.fetchall())
    return "\n".join(parts)


@pytest.fixture
def scene(story, today, caseworker, dpo):
    """Seven households: two to destroy (one sharing a member with a kept family) and five kept."""
    gone = story("Quillfeather")
    shared = story("Sharedfam")
    recent = story("Keptrecent", closed_on=today - relativedelta(years=2))
    held = story("Heldfam")
    services.place_hold(
        by=dpo, family=held.family, reason=LegalHold.Reason.INQUIRY, review_on=today + relativedelta(months=6)
    )
    person_held = story("Personheld")
    services.place_hold(
        by=dpo,
        person=person_held.child,
        reason=LegalHold.Reason.POLICE_REQUEST,
        review_on=today + relativedelta(days=40),
    )
    auto_held = story("Autoheld")
    SubjectAccessRequestFactory(subject=auto_held.parent)
    in_notice = story("Noticefam", closed_on=today - relativedelta(years=7) + relativedelta(days=10))
    # The shared family's child also lives in the recent family: kept, their old membership goes.
    case_services.add_member(
        family=recent.family,
        person=shared.child,
        role=Membership.Role.CHILD,
        start_date=today - relativedelta(years=1),
        by=caseworker,
    )
    list_for_destruction(today)
    return {
        "gone": gone,
        "shared": shared,
        "kept": [recent, held, person_held, auto_held, in_notice],
    }


def test_sweep_leaves_no_trace_of_destroyed_people_anywhere_in_the_database(
    scene, today, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_sweep(on=today)

    assert run.outcome == SweepRun.Outcome.COMPLETED
    assert run.families_destroyed == 2
    text = database_text()
    gone, shared = scene["gone"], scene["shared"]
    for trace in gone.traces:
        assert trace not in text, f"{trace!r} survived the sweep"
    # The shared family's own traces go; its child's (kept by the recent family) stay.
    child_traces = {
        "Sharedfamchild",
        "Sharedfamson",
        "Sharedfam hearing",
        "Sharedfam opted out",
        "Sharedfammerged",  # the child's merged-away record: now one of the kept child's names
        shared.child.date_of_birth.isoformat(),
        shared.child.upn,
        shared.child.nhs_number,
    }
    for trace in set(shared.traces) - child_traces:
        assert trace not in text, f"{trace!r} survived the sweep"
    for name in (gone.evidence_name, shared.evidence_name):
        assert not list(Path(media).rglob(name)), "the uploaded file name is never kept"
    for story in (gone, shared):
        stored = next(t for t in story.traces if t.startswith("consent/evidence/"))
        assert not (Path(media) / stored).exists()


def test_families_not_due_held_in_notice_or_sharing_a_member_are_intact(
    scene, today, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.run_sweep(on=today)

    text = database_text()
    for story in scene["kept"]:
        assert Family.objects.filter(pk=story.family.pk).exists()
        assert story.family.memberships.count() >= 2
        assert story.case.notes.filter(pk=story.note.pk).exists()
        for trace in story.traces:
            assert trace in text, f"{trace!r} of a kept family is missing"
        stored = next(t for t in story.traces if t.startswith("consent/evidence/"))
        assert (Path(media) / stored).exists()

    child = Person.objects.get(pk=scene["shared"].child.pk)
    assert list(child.memberships.values_list("family_id", flat=True)) == [scene["kept"][0].family.pk]
    assert not Person.objects.filter(pk=scene["shared"].parent.pk).exists()


def test_each_destroyed_family_leaves_one_register_entry_without_personal_data(
    scene, today, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_sweep(on=today)

    records = list(DestructionRecord.objects.filter(run=run))
    assert len(records) == 2
    # Each story merged a duplicate record of its child (family_story): the merged-away record,
    # left only as history, is a person destroyed too.
    gone = next(r for r in records if r.people_destroyed == 3)
    shared = next(r for r in records if r.people_kept == 1)
    assert shared.people_destroyed == 2
    for record in records:
        assert record.row_counts["cases.Family"] == 1
        assert record.row_counts["cases.HistoricalPerson"] >= 2
        assert record.row_counts["cases.HistoricalCaseNote_people_mentioned"] >= 1
        assert record.row_counts["core.AccessLogEntry"] >= 1
        assert record.files_deleted == 1
        assert record.backup_expires_on == today + relativedelta(days=35)
        assert record.policy_version == 1
        assert record.due_on == record.trigger_date + relativedelta(years=7)
    assert gone.row_counts["admin.LogEntry"] == 1
    assert gone.row_counts["guardian.UserObjectPermission"] == 1
