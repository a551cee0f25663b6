"""The DPO console's retention registers (SPEC §1, §7).

- Retention policies: a change is a new version; versions are never deleted.
- Legal holds: placed and released through `retention.services` (release is
  recorded, never a delete).
- The stop switch: suspend and lift all destruction, with reasons.
- The review queue (the notice list): what is due or coming due, with its
  blockers, sortable, exportable as CSV, with a bulk hold.
- Sweep runs, each with a destruction certificate, and the destruction register
  (read-only; searchable by family reference through the keyed hash).
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from cases.models import Family, Person
from fss.core.admin import ReadOnlyAdmin
from fss.core.models import AccessLogEntry
from fss.core.services import log_access
from retention import selectors, services
from retention.certificate import render_certificate_pdf
from retention.models import (
    DestructionNotice,
    DestructionRecord,
    DestructionSuspension,
    LegalHold,
    RetentionPolicy,
    SweepRun,
)
from retention.register import reference_hashes


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["record_kind", "version", "effective_from", "period_text", "trigger", "notice_days"]
    list_filter = ["record_kind"]
    readonly_fields = ["created_at", "created_by"]

    def has_delete_permission(self, request, obj=None):
        # A version that a destruction applied must stay on record.
        return False


# --- Legal holds ---


class LegalHoldForm(forms.ModelForm):
    family_reference = forms.CharField(
        required=False, max_length=20, help_text="Hold a family: its reference, e.g. FSS-7K3M-9QX2."
    )
    person_id = forms.IntegerField(
        required=False,
        min_value=1,
        label="Person (record number)",
        help_text="Or hold one person, in every family.",
    )
    release = forms.BooleanField(required=False, label="Release this hold")

    class Meta:
        model = LegalHold
        fields = ["reason", "details", "review_on", "release_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["reason"].disabled = True
            self.fields["details"].disabled = True
            if not self.instance.is_active:
                for name in ("review_on", "release_note", "release"):
                    self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            reference = (data.get("family_reference") or "").strip().upper()
            person_id = data.get("person_id")
            if bool(reference) == bool(person_id):
                raise ValidationError("Give a family reference or a person, not both.")
            if reference:
                data["family"] = Family.objects.filter(reference=reference).first()
                if data["family"] is None:
                    self.add_error("family_reference", "No family has this reference.")
            else:
                data["person"] = Person.objects.filter(pk=person_id).first()
                if data["person"] is None:
                    self.add_error("person_id", "No person has this record number.")
        if (
            data.get("review_on")
            and "review_on" in self.changed_data
            and data["review_on"] <= timezone.localdate()
        ):
            self.add_error("review_on", "The review date must be in the future.")
        if (
            self.instance.pk is not None
            and data.get("release")
            and not (data.get("release_note") or "").strip()
        ):
            self.add_error("release_note", "Say why the hold is released.")
        return data


@admin.register(LegalHold)
class LegalHoldAdmin(SimpleHistoryAdmin):
    form = LegalHoldForm
    list_display = ["__str__", "reason", "review_on", "placed_by", "placed_at", "released_at"]
    list_filter = ["reason", ("released_at", admin.EmptyFieldListFilter)]
    list_select_related = ["family", "placed_by"]
    search_fields = ["=family__reference"]
    search_help_text = "Search by family reference."

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["family_reference", "person_id", "reason", "details", "review_on"]
        return [
            "family",
            "person",
            "reason",
            "details",
            "review_on",
            "placed_by",
            "placed_at",
            "release",
            "release_note",
            "released_by",
            "released_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["family", "person", "placed_by", "placed_at", "released_by", "released_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # a hold is released, never deleted

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change:
                hold = services.place_hold(
                    by=request.user,
                    family=data.get("family"),
                    person=data.get("person"),
                    reason=data["reason"],
                    review_on=data["review_on"],
                    details=data.get("details", ""),
                    request=request,
                )
                obj.pk, obj.family, obj.person, obj.placed_by = (
                    hold.pk,
                    hold.family,
                    hold.person,
                    hold.placed_by,
                )
                return
            if "review_on" in form.changed_data and obj.is_active:
                obj._history_user = request.user
                obj.save(update_fields=["review_on"])
            if data.get("release"):
                services.release_hold(hold=obj, by=request.user, note=data["release_note"], request=request)
        except ValidationError as exc:
            raise PermissionDenied("; ".join(exc.messages)) from exc


# --- The stop switch ---


class SuspensionForm(forms.ModelForm):
    lift = forms.BooleanField(required=False, label="Lift the suspension: destruction resumes")

    class Meta:
        model = DestructionSuspension
        fields = ["reason", "lift_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["reason"].disabled = True
            if not self.instance.is_active:
                self.fields["lift"].disabled = True
                self.fields["lift_note"].disabled = True

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and DestructionSuspension.objects.active().exists():
            raise ValidationError("Destruction is already suspended.")
        if data.get("lift") and not (data.get("lift_note") or "").strip():
            self.add_error("lift_note", "Say why destruction may resume.")
        return data


@admin.register(DestructionSuspension)
class DestructionSuspensionAdmin(SimpleHistoryAdmin):
    form = SuspensionForm
    list_display = ["__str__", "suspended_by", "suspended_at", "lifted_by", "lifted_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["reason"]
        return ["reason", "suspended_by", "suspended_at", "lift", "lift_note", "lifted_by", "lifted_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["suspended_by", "suspended_at", "lifted_by", "lifted_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            suspension = services.suspend_destruction(by=request.user, reason=form.cleaned_data["reason"])
            obj.pk = suspension.pk
            return
        if form.cleaned_data.get("lift"):
            services.lift_suspension(suspension=obj, by=request.user, note=form.cleaned_data["lift_note"])


# --- The review queue (the notice list) ---


class BulkHoldForm(forms.Form):
    families = forms.ModelMultipleChoiceField(queryset=Family.objects.all(), widget=forms.MultipleHiddenInput)
    reason = forms.ChoiceField(choices=LegalHold.Reason.choices)
    review_on = forms.DateField(label="Review date", help_text="For example 2027-03-31")
    details = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


SORTS = {
    "due": lambda row: (row.due_on, row.family.reference),
    "reference": lambda row: row.family.reference,
    "listed": lambda row: (row.listed_on or timezone.localdate(), row.family.reference),
    "destroy_from": lambda row: (row.destroy_from or row.due_on, row.family.reference),
    "blocked": lambda row: (not row.blockers, row.due_on),
}


@admin.register(DestructionNotice)
class DestructionNoticeAdmin(ReadOnlyAdmin):
    """Its list page is the review queue: computed from the data each time, so it follows policy changes."""

    def get_urls(self):
        return [
            path(
                "hold/", self.admin_site.admin_view(self.bulk_hold_view), name="retention_review_queue_hold"
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        sort = request.GET.get("o", "due")
        rows = sorted(selectors.due_families(on=today), key=SORTS.get(sort, SORTS["due"]))
        if request.GET.get("format") == "csv":
            return _queue_csv(rows, today)
        context = {
            **self.admin_site.each_context(request),
            "title": "Review queue: due or coming due for destruction",
            "opts": self.model._meta,
            "rows": rows,
            "today": today,
            "sort": sort,
            "sorts": list(SORTS),
            "suspension": selectors.active_suspension(),
            "last_sweep": selectors.last_successful_sweep(),
            "sweep_overdue": selectors.sweep_overdue(),
            "may_hold": request.user.has_perm("retention.add_legalhold"),
            "hold_form": BulkHoldForm(),
        }
        return TemplateResponse(request, "retention/review_queue.html", context)

    def bulk_hold_view(self, request):
        if request.method != "POST" or not request.user.has_perm("retention.add_legalhold"):
            raise PermissionDenied
        form = BulkHoldForm(request.POST)
        queue = reverse("admin:retention_destructionnotice_changelist")
        if not form.is_valid():
            self.message_user(request, "Choose families, a reason and a review date.", messages.ERROR)
            return HttpResponseRedirect(queue)
        try:
            holds = services.place_holds(
                families=form.cleaned_data["families"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                review_on=form.cleaned_data["review_on"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(queue)
        self.message_user(request, f"Placed {len(holds)} legal hold{'s' if len(holds) != 1 else ''}.")
        return HttpResponseRedirect(queue)


def _queue_csv(rows, today) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="retention-review-queue-{today:%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["Family reference", "Involvement ended", "Due", "Listed", "May be destroyed from", "Blockers"]
    )
    for row in rows:
        writer.writerow(
            [
                row.family.reference,
                row.ended_on.isoformat() if row.ended_on else "",
                row.due_on.isoformat(),
                row.listed_on.isoformat() if row.listed_on else "",
                row.destroy_from.isoformat() if row.destroy_from else "",
                row.blocker_text,
            ]
        )
    return response


# --- Sweep runs and the register ---


class DestructionRecordInline(admin.TabularInline):
    model = DestructionRecord
    fk_name = "run"
    extra = 0
    fields = ["surrogate_id", "destroyed_at", "policy_version", "trigger_date", "due_on", "files_deleted"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "kind",
        "dry_run",
        "started_at",
        "finished_at",
        "outcome",
        "families_destroyed",
        "families_blocked",
        "families_failed",
    ]
    list_filter = ["kind", "outcome", "dry_run"]
    inlines = [DestructionRecordInline]
    readonly_fields = ["certificate"]

    def get_urls(self):
        return [
            path(
                "<int:pk>/certificate/",
                self.admin_site.admin_view(self.certificate_view),
                name="retention_sweeprun_certificate",
            ),
            path(
                "<int:pk>/certificate.pdf",
                self.admin_site.admin_view(self.certificate_pdf_view),
                name="retention_sweeprun_certificate_pdf",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Certificate")
    def certificate(self, obj):
        url = reverse("admin:retention_sweeprun_certificate", args=[obj.pk])
        pdf = reverse("admin:retention_sweeprun_certificate_pdf", args=[obj.pk])
        return format_html(
            '<a href="{}">Certificate of destruction for run {}</a> (<a href="{}">PDF</a>)', url, obj.pk, pdf
        )

    def certificate_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(SweepRun, pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Certificate of destruction: run {run.pk}",
            "opts": self.model._meta,
            "run": run,
            "records": run.destructions.select_related("policy").order_by("destroyed_at", "pk"),
        }
        return TemplateResponse(request, "retention/certificate.html", context)

    def certificate_pdf_view(self, request, pk):
        """The certificate as a PDF to sign and file; access-logged like any export."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(SweepRun, pk=pk)
        content = render_certificate_pdf(run, made_by=request.user)
        log_access(by=request.user, record=run, action=AccessLogEntry.Action.EXPORT, request=request)
        response = HttpResponse(content, content_type="application/pdf")
        name = f"certificate-of-destruction-run-{run.pk}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@admin.register(DestructionRecord)
class DestructionRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "surrogate_id",
        "destroyed_at",
        "record_kind",
        "policy_version",
        "trigger_date",
        "due_on",
        "people_destroyed",
        "files_deleted",
        "backup_expires_on",
        "replay_of",
    ]
    list_filter = ["record_kind", "destroyed_at"]
    search_fields = ["=reference_hash"]
    search_help_text = "Was family X destroyed? Search by its reference (matched through the keyed hash)."
    list_select_related = ["replay_of"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(reference_hash__in=reference_hashes(term)), False
