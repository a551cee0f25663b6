"""The register of sensitive fields (domain-rules §4, issue 10): complete, true, and shown to the DPO only."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from fss.core.fields import EncryptedField
from fss.core.management.commands.rotate_field_keys import models_with_encrypted_fields
from fss.core.security.sensitive_fields import REGISTER, rows


def _registered() -> set[tuple[str, str]]:
    return {(entry.model, entry.field) for entry in REGISTER}


def test_every_encrypted_field_of_the_project_is_in_the_register():
    encrypted = set()
    for model, fields in models_with_encrypted_fields():
        # A django-simple-history copy is covered by its model's line.
        owner = getattr(model, "instance_type", model)
        encrypted |= {(owner._meta.label, field.name) for field in fields}
    assert encrypted, "no encrypted field found: the walk is broken"
    missing = encrypted - _registered()
    assert not missing, (
        f"encrypted fields missing from fss/core/security/sensitive_fields.py REGISTER: {sorted(missing)}; "
        "add each with its category, Art 6 basis and Art 9/10 condition (domain-rules §4)"
    )


def test_every_register_entry_is_an_encrypted_field_and_so_is_its_history():
    for entry in REGISTER:
        model = apps.get_model(entry.model)
        field = model._meta.get_field(entry.field)
        assert isinstance(field, EncryptedField), (
            f"{entry.model}.{entry.field} is in the register in plain text"
        )
        history = getattr(model, "history", None)
        # A field left out of the history (excluded_fields) has no copy to check.
        copies = [f for f in history.model._meta.concrete_fields if f.name == entry.field] if history else []
        for copy in copies:
            assert isinstance(copy, EncryptedField), f"the history of {entry.model}.{entry.field} is plain"
    assert all(row.encrypted for row in rows())


def test_each_entry_names_its_category_basis_condition_and_who_may_see_it():
    assert len(_registered()) == len(REGISTER), "a field is listed twice"
    for entry in REGISTER:
        assert "special category" in entry.category.lower() or "Art 10" in entry.category
        assert entry.article_6.startswith("Art 6(1)(")
        assert "Art 9(2)" in entry.condition or "Art 10" in entry.condition
        assert "DPA 2018 Sch 1 para" in entry.condition
        assert entry.who_may_see
    offending = [e for e in REGISTER if "Art 10" in e.category]
    assert offending
    assert all("para 10" in e.condition for e in offending)
    # Ethnicity and religion are for equality statistics only (domain-rules §4).
    for name in ("ethnicity", "religion"):
        (entry,) = [e for e in REGISTER if (e.model, e.field) == ("cases.Person", name)]
        assert "para 8" in entry.condition
        assert "aggregate use only" in entry.condition


def test_the_dpo_sees_the_register_as_a_table(dpo):
    client = Client()
    client.force_login(dpo)
    response = client.get(reverse("security:sensitive_fields"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="govuk-table"' in page
    assert page.count('<tr class="govuk-table__row">') == len(REGISTER) + 1  # the header row
    for row in rows():
        assert f"{row.model_name}: {row.field_name}" in page
    assert "Case note: Text" in page
    assert "Person: SEND and health details" in page
    assert "DPA 2018 Sch 1 para 10 (unlawful acts)" in page
    assert "govuk-tag--red" not in page  # every field is encrypted
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "persona", ["caseworker", "manager", "records_officer", "analyst", "sysadmin"], indirect=True
)
def test_no_one_else_sees_the_register(persona):
    client = Client()
    client.force_login(persona)
    assert client.get(reverse("security:sensitive_fields")).status_code == 403


def test_signed_out_the_register_asks_to_sign_in(client):
    response = client.get(reverse("security:sensitive_fields"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
