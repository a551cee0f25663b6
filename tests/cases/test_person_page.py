"""The person page: details, identifiers, and special category data only for holders of the permission."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cases.factories import FamilyFactory, MembershipFactory, PersonFactory
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_in_north(north_team):
    family = FamilyFactory(team=north_team)
    person = PersonFactory(
        given_name="Ada", religion="buddhist", ethnicity="white_roma", send_details="Autism diagnosis 2022"
    )
    MembershipFactory(family=family, person=person)
    return family, person


def _url(family, person, name="cases:person_detail"):
    return reverse(name, args=[family.pk, person.pk])


def test_shows_special_category_details_to_the_team_and_logs_the_read(client, caseworker, person_in_north):
    family, person = person_in_north
    client.force_login(caseworker)
    html = client.get(_url(family, person)).content.decode()
    assert "Buddhist" in html
    assert "Autism diagnosis 2022" in html
    entry = AccessLogEntry.objects.get(person_id=person.pk, action="view")
    assert entry.family_id == family.pk


def test_hides_special_category_details_without_the_permission(client, caseworker, person_in_north):
    family, person = person_in_north
    for group in caseworker.groups.all():
        group.permissions.remove(Permission.objects.get(codename="view_special_category"))
    client.force_login(caseworker)
    html = client.get(_url(family, person)).content.decode()
    assert "Buddhist" not in html
    assert "Autism" not in html
    assert "Hidden: your role does not allow" in html
    form = client.get(_url(family, person, "cases:person_edit")).context["form"]
    assert "religion" not in form.fields


def test_a_person_of_another_family_is_404_through_this_family(
    client, caseworker, person_in_north, north_team
):
    family, _person = person_in_north
    stranger = MembershipFactory(family=FamilyFactory(team=north_team)).person
    client.force_login(caseworker)
    assert client.get(_url(family, stranger)).status_code == 404


def test_editing_validates_identifiers_beside_the_field(client, caseworker, person_in_north):
    family, person = person_in_north
    client.force_login(caseworker)
    data = client.get(_url(family, person, "cases:person_edit")).context["form"].initial
    data = {k: v for k, v in data.items() if v not in (None, False)}
    dob = person.date_of_birth
    data.update(
        {
            "date_of_birth_0": dob.day,
            "date_of_birth_1": dob.month,
            "date_of_birth_2": dob.year,
            "nhs_number": "943 476 5918",
        }
    )
    data.pop("date_of_birth", None)
    response = client.post(_url(family, person, "cases:person_edit"), data)
    assert response.status_code == 200
    assert "nhs_number" in response.context["form"].errors
    data["nhs_number"] = "943 476 5919"
    response = client.post(_url(family, person, "cases:person_edit"), data)
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.nhs_number == "9434765919"
    assert person.religion == "buddhist"
    assert person.history.first().history_user == caseworker
