"""Sharing pages (SPEC §6.2). Thin: parse, check access, call the check, a service or a selector, render.

Families are reached only through `cases.access` (404 when not visible); every
page showing people's information is access-logged; URLs carry ids and
decision UUIDs, never names.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cases.access import get_family_for_user, may_change
from cases.forms import apply_service_errors
from consent.selectors import current_memberships
from fss.core.models import AccessLogEntry
from fss.core.services import log_access
from sharing import forms, selectors, services, transfer
from sharing.check import check_disclosure
from sharing.models import Disclosure, PartnerReferral, RecipientNotificationTask

FORM_TEMPLATE = "cases/form_page.html"


def _log_family(request, family, action=AccessLogEntry.Action.VIEW):
    log_access(by=request.user, record=family, action=action, request=request, family_id=family.pk)


@require_GET
@never_cache
@permission_required("sharing.view_disclosure", raise_exception=True)
def sharing_history(request, pk: int):
    family = get_family_for_user(request.user, pk)
    _log_family(request, family)
    return render(
        request,
        "sharing/history.html",
        {
            "family": family,
            "decisions": selectors.family_sharing_decisions(family=family),
            "referrals": selectors.partner_referrals(family=family),
            "tasks": list(selectors.open_recipient_tasks(families=[family])),
            "can_change": may_change(request.user, family),
        },
    )


def _share_context(request, family):
    members = [m.person for m in current_memberships(family=family, on=timezone.localdate())]
    return members, {person.pk: person for person in members}


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.add_disclosure", raise_exception=True)
def disclosure_new(request, pk: int):
    """Choose partner and items → see the check's answer per person → record the decision."""
    family = get_family_for_user(request.user, pk, for_change=True)
    members, by_id = _share_context(request, family)
    posted = request.method == "POST"
    form = forms.ShareForm(
        request.POST if posted else None, members=members, initial={"decided_on": timezone.localdate()}
    )
    step = request.POST.get("step", "check") if posted else "check"
    if not (posted and form.is_valid()):
        return render(
            request, "sharing/share.html", {"family": family, "form": form, "title": "Share information"}
        )

    question = form.question(by_id)
    managers = forms.managers_of([family.team])
    record_form = forms.RecordDecisionForm(
        request.POST if step == "record" else None, prefix="record", managers=managers
    )
    if step == "record" and record_form.is_valid():
        try:
            disclosures = services.record_disclosure(
                family=family, by=request.user, request=request, **question, **record_form.record()
            )
        except ValidationError as error:
            apply_service_errors(record_form, error)
        else:
            first = disclosures[0]
            sent = [d for d in disclosures if d.decision != Disclosure.Decision.NOT_SHARED]
            if not sent:
                messages.success(request, "The decision not to share is recorded.")
            elif any(d.approval_timing == Disclosure.Approval.BEFORE for d in sent):
                messages.success(request, "Recorded. Nothing may be sent until a manager approves it.")
            else:
                messages.success(request, "The decision to share is recorded.")
            return redirect("sharing:disclosure_detail", pk=family.pk, disclosure_pk=first.pk)

    # The check reads people's consent and restrictions: a read of their records.
    _log_family(request, family)
    result = check_disclosure(family=family, **question)
    if step != "record":
        record_form = forms.RecordDecisionForm(
            prefix="record",
            managers=managers,
            initial={
                "fingerprint": result.fingerprint(),
                "transfer_method": question["recipient"].secure_transfer_method,
            },
        )
    elif record_form.is_bound:
        # The worker now sees the current answer: the next submission is measured against it.
        errors = record_form.errors.copy()
        data = request.POST.copy()
        data["record-fingerprint"] = result.fingerprint()
        record_form = forms.RecordDecisionForm(data, prefix="record", managers=managers)
        record_form.is_valid()
        for name, field_errors in errors.items():
            if name not in record_form.errors:
                record_form.add_error(None if name == "__all__" else name, field_errors)
    carried = [
        (name, value)
        for name in request.POST
        if not name.startswith("record-") and name not in ("csrfmiddlewaretoken", "step")
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "sharing/share_check.html",
        {"family": family, "result": result, "record_form": record_form, "carried": carried},
    )


@require_GET
@never_cache
@permission_required("sharing.view_disclosure", raise_exception=True)
def disclosure_detail(request, pk: int, disclosure_pk: int):
    """ "Why was this allowed?": the stored decision, replayed, never re-run."""
    family = get_family_for_user(request.user, pk)
    disclosure = get_object_or_404(
        Disclosure.objects.select_related(
            "person",
            "organisation",
            "agreement",
            "purpose",
            "decided_by",
            "manager_consulted",
            "approval__decided_by",
        ).prefetch_related("flags"),
        pk=disclosure_pk,
        family=family,
    )
    log_access(
        by=request.user,
        record=disclosure,
        request=request,
        family_id=family.pk,
        person_id=disclosure.person_id,
    )
    others = selectors.decision_disclosures_in(family=family, decision_id=disclosure.decision_id)
    result = selectors.stored_check(disclosure)
    return render(
        request,
        "sharing/disclosure_detail.html",
        {
            "family": family,
            "disclosure": disclosure,
            "result": result,
            "shared": result.labels(disclosure.categories_shared),
            "withheld": result.labels(disclosure.categories_withheld),
            "others": others,
            "can_change": may_change(request.user, family),
            "document_label": transfer.DOCUMENT_LABELS.get(transfer.document_kind(disclosure.transfer_method))
            if disclosure.was_sent
            else None,
        },
    )


@require_GET
@never_cache
@permission_required("sharing.view_disclosure", raise_exception=True)
def transfer_document(request, pk: int, decision_id):
    """The file, letter or record sheet for the decision's transfer method (SPEC §6.2): only people who
    may see the family, only what the check allowed and may be sent; every person in it access-logged."""
    family = get_family_for_user(request.user, pk)
    try:
        document = transfer.transfer_document(
            family=family, decision_id=decision_id, by=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        first = Disclosure.objects.filter(family=family, decision_id=decision_id).order_by("pk").first()
        if first is None:
            raise Http404 from None
        return redirect("sharing:disclosure_detail", pk=family.pk, disclosure_pk=first.pk)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@never_cache
@permission_required("sharing.add_disclosureapproval", raise_exception=True)
def approval_queue(request):
    return render(
        request, "sharing/approval_queue.html", {"decisions": selectors.approval_queue(user=request.user)}
    )


def _decision_or_404(request, decision_id):
    decision = selectors.decision(decision_id=decision_id, user=request.user)
    if decision is None:
        raise Http404
    log_access(by=request.user, record=decision.first, request=request, family_id=decision.first.family_id)
    return decision


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.add_disclosureapproval", raise_exception=True)
def approval_decide(request, decision_id):
    decision = _decision_or_404(request, decision_id)
    form = forms.ApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_approval(
                decision_id=decision.decision_id,
                approve=form.cleaned_data["outcome"] == "approve",
                comment=form.cleaned_data["comment"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Your decision is recorded.")
            return redirect("sharing:approval_queue")
    return render(
        request,
        "sharing/decision_review.html",
        {
            "decision": decision,
            "result": selectors.stored_check(decision.first),
            "form": form,
            "title": "Approve or decline a share",
            "own": decision.first.decided_by_id == request.user.pk,
        },
    )


@require_GET
@never_cache
@permission_required("sharing.add_dporeview", raise_exception=True)
def dpo_review_queue(request):
    return render(request, "sharing/dpo_review_queue.html", {"decisions": selectors.awaiting_dpo_review()})


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.add_dporeview", raise_exception=True)
def dpo_review(request, decision_id):
    decision = _decision_or_404(request, decision_id)
    form = forms.DpoReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_dpo_review(
                decision_id=decision.decision_id,
                note=form.cleaned_data["note"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Your review is recorded.")
            return redirect("sharing:dpo_review_queue")
    return render(
        request,
        "sharing/decision_review.html",
        {
            "decision": decision,
            "result": selectors.stored_check(decision.first),
            "form": form,
            "title": "Review a safeguarding share",
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.add_partnerreferral", raise_exception=True)
def referral_new(request, pk: int, decision_id):
    family = get_family_for_user(request.user, pk, for_change=True)
    form = forms.PartnerReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_partner_referral(
                family=family, decision_id=decision_id, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Referral recorded.")
            return redirect("sharing:history", pk=family.pk)
    return render(
        request,
        FORM_TEMPLATE,
        {
            "form": form,
            "family": family,
            "title": "Record a referral to a partner",
            "caption": family.reference,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.add_partnerreferralevent", raise_exception=True)
def referral_update(request, pk: int, referral_pk: int):
    family = get_family_for_user(request.user, pk, for_change=True)
    referral = get_object_or_404(
        PartnerReferral.objects.select_related("organisation"), pk=referral_pk, family=family
    )
    latest = services.referral_status(referral)
    form = forms.ReferralResponseForm(request.POST or None, allowed=services.NEXT_STATUSES[latest.status])
    if request.method == "POST" and form.is_valid():
        try:
            services.record_referral_response(
                referral=referral, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Referral updated.")
            return redirect("sharing:history", pk=family.pk)
    return render(
        request,
        FORM_TEMPLATE,
        {
            "form": form,
            "family": family,
            "title": f"Update the referral to {referral.organisation}",
            "caption": family.reference,
            "intro": f"It is {latest.get_status_display().lower()} (since {latest.on:%-d %B %Y}).",
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.change_recipientnotificationtask", raise_exception=True)
def recipient_told(request, pk: int, task_pk: int):
    family = get_family_for_user(request.user, pk, for_change=True)
    task = get_object_or_404(
        RecipientNotificationTask.objects.select_related("organisation", "flag__disclosure"),
        pk=task_pk,
        flag__disclosure__family=family,
    )
    form = forms.RecipientToldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_recipient_told(task=task, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Recorded that {task.organisation} was told.")
            return redirect("sharing:history", pk=family.pk)
    return render(
        request,
        FORM_TEMPLATE,
        {
            "form": form,
            "family": family,
            "title": f"Tell {task.organisation}",
            "caption": family.reference,
            "intro": f"{task.flag.get_reason_display()} on {task.flag.on:%-d %B %Y}: tell the recipient, "
            "so they stop using or correct what we shared.",
        },
    )
