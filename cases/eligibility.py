"""Who the service is for (SPEC §4.2; the privacy notice's first paragraph).

A family is eligible when, on the referral date, at least one member is a child
or young person aged 0 to 19 in completed years, or aged up to 25 with a
recorded special educational need or disability. Ages use calendar arithmetic
(`Person.age_on`), in the Europe/London calendar date of the referral.
"""

from dataclasses import dataclass, field
from datetime import date

# The notice's promise: "families with children aged 0 to 19 years (or up to 25
# years for those with a special educational need or a disability)".
MAX_AGE = 19
MAX_AGE_WITH_SEND = 25


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str
    qualifying_person_ids: list[int] = field(default_factory=list)


def check_eligibility(*, people, on: date) -> Eligibility:
    """Whether a household with these members is eligible on `on`, with a reason a worker can read."""
    qualifying = []
    for person in people:
        age = person.age_on(on)
        if age is None:
            continue
        if age <= MAX_AGE or (person.has_send and age <= MAX_AGE_WITH_SEND):
            qualifying.append(person.pk)
    if qualifying:
        return Eligibility(
            True, "At least one child or young person is in the service's age range.", qualifying
        )
    if not any(person.age_on(on) is not None for person in people):
        reason = (
            "No member has a date of birth on or before the referral date, so no one can be "
            "counted as a child or young person aged 0 to 19."
        )
    else:
        reason = (
            f"No member is aged {MAX_AGE} or under on the referral date, and no one aged "
            f"{MAX_AGE_WITH_SEND} or under has a recorded special educational need or disability. "
            "The service is for families with children aged 0 to 19, or up to 25 with SEND."
        )
    return Eligibility(False, reason)
