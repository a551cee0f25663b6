"""Compilation (SPEC §8.1): a worker task gathers every kind of record about the subject, with progress,
safe to run twice; what is about someone else stays out."""

import pytest
from django.core.exceptions import ValidationError

from retention.coverage import Rule, all_models, declaration_for, history_of
from sar import compilation as compiling
from sar import services
from sar.factories import SubjectAccessRequestFactory
from sar.models import SarCompilation, SarItem, SarSearchTask, Section
from sar.tasks import compile_sar

pytestmark = pytest.mark.django_db

EVERY_KIND = {
    "cases.person",
    "cases.membership",
    "cases.familyaddress",
    "cases.referral",
    "cases.case",
    "cases.caseevent",
    "cases.assessment",
    "cases.plan",
    "cases.review",
    "cases.outcome",
    "cases.casenote",
    "cases.document",
    "cases.paperrecord",
    "consent.consentrecord",
    "sharing.disclosure",
    "sharing.partnerreferral",
    "sar.subjectaccessrequest",
    "sar.complaint",
    "retention.legalhold",
    "core.accesslogentry",
    "cases.breakglassaccess",
}


def _text(compilation) -> str:
    return "\n".join(
        f"{item.title} " + " ".join(f["value"] for f in item.fields) for item in compilation.items.all()
    )


def test_compilation_of_a_rich_family_holds_every_kind_of_record(rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)

    assert compilation.status == SarCompilation.Status.DONE
    assert compilation.percent == 100
    labels = set(compilation.items.values_list("source_label", flat=True))
    assert labels >= EVERY_KIND, EVERY_KIND - labels
    sections = set(compilation.items.values_list("section", flat=True))
    assert {Section.ABOUT_YOU, Section.NOTES, Section.SHARING, Section.HISTORY, Section.ACCESS} <= sections
    assert compilation.item_count == compilation.items.count()


def test_the_subjects_own_details_include_special_category_data_decrypted(rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    about = compilation.items.get(section=Section.ABOUT_YOU)
    values = {f["label"]: f["value"] for f in about.fields}
    assert values["Name"] == "Maya Reid"
    assert values["SEND and health details"] == "Asthma"
    assert values["Gender"] == "Not obtained"


def test_notes_about_someone_else_only_are_left_out(rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    notes = {
        int(pk)
        for pk in compilation.items.filter(source_label="cases.casenote").values_list("source_pk", flat=True)
    }
    made = rich["notes"]
    assert notes == {made["about_maya"].pk, made["household"].pk, made["sensitive"].pk}
    assert "LEO-ONLY" not in _text(compilation)


def test_change_history_shows_what_changed_and_who_changed_it(rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    history = compilation.items.get(section=Section.HISTORY, source_label="cases.person")
    changes = " ".join(f["value"] for f in history.fields)
    assert "07700 900123 → 07700 900456" in changes


def test_deleted_records_still_held_in_history_are_compiled(rich, dpo, compile_now, family):
    address = family.addresses.first()
    address.delete()
    compilation = compile_now(rich["sar"], dpo)
    deleted = compilation.items.get(section=Section.HISTORY, source_label="cases.familyaddress")
    assert deleted.title.startswith("Deleted")
    assert "12 Mill Lane" in " ".join(f["value"] for f in deleted.fields)


def test_access_log_says_who_looked_at_the_records(rich, dpo, compile_now, worker):
    compilation = compile_now(rich["sar"], dpo)
    access = " ".join(
        f["value"] for item in compilation.items.filter(section=Section.ACCESS) for f in item.fields
    )
    assert "Jane Whitfield viewed the family" in access
    assert "Out of hours call" in access


def test_recipients_come_from_the_sharing_register(rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    shared = compilation.items.get(source_label="sharing.disclosure")
    assert "Thames Valley Police" in shared.title


def test_paper_files_and_partners_holding_data_become_manual_searches(rich, dpo, compile_now, police):
    compile_now(rich["sar"], dpo)
    tasks = {task.kind: task for task in rich["sar"].search_tasks.all()}
    assert "Aylesbury records store, Box 14" in tasks[SarSearchTask.Kind.PAPER_FILE].description
    assert tasks[SarSearchTask.Kind.PARTNER].organisation == police


def test_compilation_records_its_progress_stage_by_stage(rich, dpo):
    seen = []
    compiling.gather(rich["sar"].subject, progress=lambda stage, percent: seen.append((stage, percent)))
    assert [stage for stage, _ in seen][:3] == ["Your details", "Families and addresses", "Referrals"]
    percents = [percent for _, percent in seen]
    assert percents == sorted(percents)
    assert percents[0] == 0
    assert percents[-1] < 100


def test_running_the_task_twice_compiles_once(rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    items = compilation.items.count()
    assert compile_sar(rich["sar"].pk) == {"request": rich["sar"].pk, "compiled": False}
    assert SarCompilation.objects.filter(request=rich["sar"]).count() == 1
    assert compilation.items.count() == items


def test_a_compilation_left_running_by_a_crashed_worker_is_picked_up_again(rich, dpo, settings):
    from datetime import timedelta

    from django.utils import timezone

    stuck = SarCompilation.objects.create(
        request=rich["sar"],
        requested_by=dpo,
        status=SarCompilation.Status.RUNNING,
        started_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60),
    )
    compile_sar(rich["sar"].pk)
    stuck.refresh_from_db()
    assert stuck.status == SarCompilation.Status.DONE


def test_a_failure_is_recorded_and_raised_and_can_be_retried(rich, dpo, monkeypatch):
    compilation = SarCompilation.objects.create(request=rich["sar"], requested_by=dpo)

    def broken(ctx):
        raise RuntimeError("disk full")

    monkeypatch.setattr(compiling, "STAGES", [("Broken", broken)])
    with pytest.raises(RuntimeError):
        compile_sar(rich["sar"].pk)
    compilation.refresh_from_db()
    assert compilation.status == SarCompilation.Status.FAILED
    assert compilation.error == "RuntimeError"
    assert not SarItem.objects.filter(compilation=compilation).exists()
    monkeypatch.undo()
    services.start_compilation(request=rich["sar"], by=dpo)
    compile_sar(rich["sar"].pk)
    assert services.current_compilation(rich["sar"]).status == SarCompilation.Status.DONE


def test_a_request_with_no_subject_cannot_be_compiled_and_nothing_is_lost(dpo):
    sar = SubjectAccessRequestFactory(subject=None, subject_not_found=True, requester_name="A. Person")
    with pytest.raises(ValidationError, match="no record to compile"):
        services.start_compilation(request=sar, by=dpo)
    assert not SarCompilation.objects.exists()
    sar.refresh_from_db()
    assert sar.subject_not_found


def test_a_second_compilation_is_refused_while_one_is_running(rich, dpo):
    services.start_compilation(request=rich["sar"], by=dpo)
    with pytest.raises(ValidationError, match="already being compiled"):
        services.start_compilation(request=rich["sar"], by=dpo)


def test_every_model_reaching_a_family_is_compiled_or_excluded_with_a_reason():
    """A model added to the family's records later is compiled by the "other records" stage."""
    reaching = {
        model._meta.label
        for model in all_models()
        if history_of(model) is None
        and not model._meta.auto_created
        and declaration_for(model).rule == Rule.FAMILY
        and declaration_for(model).via
    }
    covered = compiling.HANDLED | set(compiling.EXCLUDED) | set(compiling.other_models())
    assert reaching <= covered, reaching - covered
    assert all(why.strip() for why in compiling.EXCLUDED.values())
