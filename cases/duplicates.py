"""The duplicate check when a person is added (SPEC §4.4): offer the existing record first.

A possible duplicate is someone in a family the user may see whose name matches
tolerantly (`cases.search_keys.names_match`) and whose date of birth is the same
(or either date of birth is unknown). People in families the user cannot see are
not offered: the check must not reveal who else the service knows.
"""

from datetime import date

from cases.access import families_visible_to
from cases.models import Person
from cases.search_keys import name_key, names_match

MAX_OFFERED = 10


def possible_duplicates(
    user,
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date | None = None,
    **_other_fields,
) -> list[Person]:
    """People the user may see who could be the person being added."""
    query = name_key(f"{given_name} {family_name}")
    candidates = Person.objects.filter(memberships__family__in=families_visible_to(user)).distinct()
    if date_of_birth:
        candidates = candidates.filter(date_of_birth=date_of_birth) | candidates.filter(date_of_birth=None)
    matches = []
    for person in candidates.order_by("family_name", "given_name", "pk")[: MAX_OFFERED * 50]:
        if any(names_match(query, key) for key in person.search_keys):
            matches.append(person)
        if len(matches) == MAX_OFFERED:
            break
    return matches
