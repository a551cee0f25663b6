"""The records officer's paper destruction list (SPEC §7 "Paper")."""

from crispy_forms_gds.layout import Field
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cases.forms import GovukForm, apply_service_errors, date_field
from retention.models import PaperDestructionTask
from retention.services import confirm_paper_destruction


class ConfirmPaperDestructionForm(GovukForm):
    submit_label = "Confirm destruction"

    destroyed_on = date_field("Date the paper was destroyed")
    certificate_number = forms.CharField(label="Destruction certificate number", max_length=100)

    def layout_fields(self):
        return [Field("destroyed_on"), Field.text("certificate_number", field_width=20)]


@require_GET
@never_cache
@permission_required("retention.view_paperdestructiontask", raise_exception=True)
def paper_tasks(request):
    tasks = PaperDestructionTask.objects.select_related("destruction", "confirmed_by")
    return render(
        request,
        "retention/paper_tasks.html",
        {
            "outstanding": list(tasks.filter(destroyed_on__isnull=True).order_by("created_at")),
            "done": list(tasks.filter(destroyed_on__isnull=False).order_by("-destroyed_on")[:50]),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("retention.confirm_paper_destruction", raise_exception=True)
def confirm_paper(request, pk: int):
    task = get_object_or_404(PaperDestructionTask, pk=pk, destroyed_on__isnull=True)
    form = ConfirmPaperDestructionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirm_paper_destruction(task=task, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Paper destruction confirmed.")
            return redirect("retention:paper_tasks")
    return render(
        request,
        "cases/form_page.html",
        {"form": form, "title": "Confirm paper destruction", "caption": str(task)},
    )
