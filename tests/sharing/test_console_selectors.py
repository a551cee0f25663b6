"""The plain-data reads the DPO console calls (SPEC §6.1–§6.3): overdue ONS destruction confirmations,
agreements due for review, and sharing decisions counted per partner category, basis and decision."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from sharing import selectors
from sharing.factories import DataSharingAgreementFactory, DisclosureFactory
from sharing.returns import services
from sharing.returns.models import ReturnKind

pytest_plugins = ["tests.sharing.test_returns_fixtures"]

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_ons_destruction_confirmations_overdue(run, ons, project, on_programme, quarter, dpo, today, media):
    made = run(ReturnKind.ONS_MATCHING, *quarter, ons, research_project=project)
    services.record_transfer_sent(transfer=made.transfer, sent_on=today, by=dpo)
    due = project.destruction_confirmation_due_on
    assert selectors.ons_destruction_confirmations_overdue(on=due) == []
    [row] = selectors.ons_destruction_confirmations_overdue(on=due + 3 * DAY)
    assert row == {
        "transfer_id": made.transfer.pk,
        "run_id": made.pk,
        "recipient": str(ons),
        "research_project": project.reference,
        "research_project_title": project.title,
        "sent_on": today,
        "due_on": due,
        "days_overdue": 3,
        "row_count": 4,
    }
    services.confirm_destruction(transfer=made.transfer, confirmed_on=today, evidence="ONS cert 7", by=dpo)
    assert selectors.ons_destruction_confirmations_overdue(on=due + 3 * DAY) == []


def test_agreements_due_for_review(police, today):
    soon = DataSharingAgreementFactory(organisation=police, review_date=today + 10 * DAY)
    overdue = DataSharingAgreementFactory(organisation=police, review_date=today - 2 * DAY)
    DataSharingAgreementFactory(organisation=police, review_date=today + 90 * DAY)
    rows = selectors.agreements_due_for_review(30, on=today)
    assert [(r["reference"], r["what"], r["overdue"], r["days_left"]) for r in rows] == [
        (overdue.reference, "review", True, -2),
        (soon.reference, "review", False, 10),
    ]
    assert rows[0]["partners"] == [str(police)]
    assert len(selectors.agreements_due_for_review(100, on=today)) == 3


def test_disclosure_counts_by_partner_category_and_basis(family, police, school, caseworker, today):
    decision = DisclosureFactory(family=family, organisation=police, decided_by=caseworker)
    DisclosureFactory(
        family=family,
        organisation=police,
        decided_by=caseworker,
        decision_id=decision.decision_id,
    )
    DisclosureFactory(
        family=family,
        organisation=police,
        decided_by=caseworker,
        basis="safeguarding",
        is_safeguarding=True,
        safeguarding_justification="Risk of harm.",
    )
    DisclosureFactory(family=family, organisation=school, decided_by=caseworker, decision="not_shared")
    DisclosureFactory(
        family=family, organisation=school, decided_by=caseworker, decided_on=today - relativedelta(years=2)
    )
    rows = selectors.disclosure_counts_by_partner_category_and_basis(today - 30 * DAY, today)
    got = {
        (r["category"], r["basis"], r["decision"]): (r["people"], r["decisions"], r["safeguarding"])
        for r in rows
    }
    assert got == {
        ("police", "public_task", "shared"): (2, 1, 0),
        ("police", "safeguarding", "shared"): (1, 1, 1),
        ("school", "public_task", "not_shared"): (1, 1, 0),
    }
    police_row = next(r for r in rows if r["basis"] == "public_task" and r["category"] == "police")
    assert police_row["basis_label"] == "Art 6(1)(e) public task"
    assert police_row["category_label"] == police.category.label
