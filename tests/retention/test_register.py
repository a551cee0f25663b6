"""The destruction register (SPEC §7, domain-rules §8): a keyed hash answers "was family X
destroyed?", and `retention_replay` re-applies the register after a restore from backup."""

import io
import json

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import CommandError, call_command

from cases.factories import FamilyFactory, MembershipFactory
from cases.models import Family
from retention import services
from retention.models import DestructionRecord, SweepRun
from retention.register import reference_hash
from retention.selectors import destruction_records_for_reference, register_export
from tests.retention.conftest import closed_family, list_for_destruction

pytestmark = pytest.mark.django_db

OTHER_KEY = "another-test-only-field-key-never-in-production"


@pytest.fixture
def destroyed(today):
    """Two families destroyed by a sweep; their references are all that is left outside the register."""
    families = [closed_family(closed_on=today - relativedelta(years=8, days=n)) for n in range(2)]
    list_for_destruction(today)
    services.run_sweep(on=today)
    return [f.reference for f in families]


def _restore(reference: str) -> Family:
    """A restored backup brings a destroyed family back, members and all."""
    family = FamilyFactory(reference=reference)
    MembershipFactory(family=family)
    return family


def test_the_register_answers_was_family_x_destroyed(destroyed):
    [record] = destruction_records_for_reference(destroyed[0])
    assert record.reference_hash != destroyed[0]
    assert destroyed[0] not in json.dumps(register_export())
    assert list(destruction_records_for_reference("FSS-0000-0000")) == []
    # Typed in lower case with spaces, as people do.
    assert destruction_records_for_reference(f"  {destroyed[0].lower()} ").count() == 1


def test_the_hash_is_keyed_by_the_field_encryption_key_not_the_reference_alone(settings):
    first, key_id = reference_hash("FSS-7K3M-9QX2")
    settings.FIELD_ENCRYPTION_KEY = OTHER_KEY
    second, other_key_id = reference_hash("FSS-7K3M-9QX2")
    assert first != second
    assert key_id != other_key_id


def test_lookups_keep_working_while_a_rotated_key_is_still_listed(destroyed, settings):
    settings.FIELD_ENCRYPTION_KEY = f"{OTHER_KEY},{settings.FIELD_ENCRYPTION_KEY}"
    assert destruction_records_for_reference(destroyed[0]).count() == 1


def test_replay_destroys_families_a_restore_brought_back_and_records_it(destroyed, today):
    _restore(destroyed[0])
    kept = closed_family(closed_on=today - relativedelta(years=2))
    out = io.StringIO()
    call_command("retention_replay", "--dry-run", stdout=out)
    assert f"would destroy {destroyed[0]} again" in out.getvalue()
    assert Family.objects.filter(reference=destroyed[0]).exists()

    call_command("retention_replay", stdout=out)
    assert not Family.objects.filter(reference=destroyed[0]).exists()
    assert Family.objects.filter(pk=kept.pk).exists()
    replay = DestructionRecord.objects.get(replay_of__isnull=False)
    assert replay.run.kind == SweepRun.Kind.REPLAY
    assert replay.replay_of == destruction_records_for_reference(destroyed[0]).get(replay_of__isnull=True)
    assert "Replay after a restore" in replay.hold_check
    # Nothing more to do the second time.
    run = services.replay_register()
    assert (run.families_due, run.families_destroyed) == (0, 0)


def test_replay_ignores_holds_and_notices_the_restored_copy_carries(destroyed, dpo, today):
    from retention.models import LegalHold

    family = _restore(destroyed[1])
    services.place_hold(
        by=dpo, family=family, reason=LegalHold.Reason.INQUIRY, review_on=today + relativedelta(days=1)
    )
    services.replay_register()
    assert not Family.objects.filter(reference=destroyed[1]).exists()


def test_replay_adds_register_entries_made_after_the_backup_from_an_export(destroyed, tmp_path):
    export = tmp_path / "register.json"
    call_command("retention_register_export", str(export), stderr=io.StringIO())
    # The backup predates the sweep: its register is empty and the families are back.
    DestructionRecord.objects.all().delete()
    for reference in destroyed:
        _restore(reference)

    call_command("retention_replay", "--register", str(export), stdout=io.StringIO())
    assert not Family.objects.filter(reference__in=destroyed).exists()
    originals = DestructionRecord.objects.filter(replay_of__isnull=True)
    assert {str(r.surrogate_id) for r in originals} == {
        e["surrogate_id"] for e in json.loads(export.read_text())["entries"]
    }
    assert DestructionRecord.objects.filter(replay_of__isnull=False).count() == 2


def test_replay_refuses_to_call_itself_done_when_a_register_key_is_missing(destroyed, settings):
    settings.FIELD_ENCRYPTION_KEY = OTHER_KEY
    with pytest.raises(CommandError, match="not in FIELD_ENCRYPTION_KEY"):
        call_command("retention_replay", stdout=io.StringIO())
    assert SweepRun.objects.filter(kind=SweepRun.Kind.REPLAY, outcome=SweepRun.Outcome.FAILED).exists()
