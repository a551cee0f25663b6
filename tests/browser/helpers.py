"""Small helpers for the browser journeys: GOV.UK date inputs, and the data a journey starts from."""

import datetime

from consent.factories import PrivacyNoticeVersionFactory
from sharing.factories import DataSharingAgreementFactory, OrganisationFactory


def fill_date(page, legend, value: datetime.date) -> None:
    """Fill a GOV.UK date input (Day, Month, Year) found by its fieldset's legend."""
    group = page.get_by_role("group", name=legend, exact=isinstance(legend, str))
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def sharing_partner(name: str):
    """A partner with an early-help and safeguarding agreement in force, and a privacy notice since 2020."""
    PrivacyNoticeVersionFactory(effective_from=datetime.date(2020, 1, 1))
    organisation = OrganisationFactory(name=name, category__code="police")
    DataSharingAgreementFactory(
        organisation=organisation,
        purposes=["early_help", "safeguarding"],
        categories=["identity", "address", "family_circumstances"],
    )
    return organisation


def member(family, role, *, pr=False, start=datetime.date(2019, 1, 1), **person):
    """A person in the family (factories), from `start`."""
    from cases.factories import MembershipFactory, PersonFactory

    person = PersonFactory(**person)
    MembershipFactory(
        person=person, family=family, role=role, has_parental_responsibility=pr, start_date=start
    )
    return person


def age_sign_in(page, *, minutes: int) -> None:
    """Move the browser session's sign-in time `minutes` into the past (for re-authentication)."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    from fss.core.security.sessions import AUTHENTICATED_AT, REAUTHENTICATED_AT

    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=key)
    for stamp in (AUTHENTICATED_AT, REAUTHENTICATED_AT):
        if session.get(stamp) is not None:
            session[stamp] -= minutes * 60
    session.save()
