"""Every model is declared (SPEC §7 "Coverage"): a model added next year cannot silently escape the
7-year rule. History models and many-to-many tables are covered by their owner's line."""

from django.apps import apps
from django.db import models

from retention.coverage import (
    DECLARATIONS,
    FAMILY,
    PERSON,
    Rule,
    all_models,
    declaration_for,
    history_of,
    undeclared_models,
)
from retention.destruction import schema
from retention.models import RetentionPolicy


def test_every_installed_model_is_declared_history_and_link_tables_included():
    assert undeclared_models() == [], (
        "Declare these models in retention/coverage.py (destroyed with the family by which fields, "
        "no personal data, own policy, or about staff)"
    )


def test_every_declaration_names_an_installed_model():
    installed = {model._meta.label for model in all_models()}
    assert sorted(set(DECLARATIONS) - installed) == []


def test_history_models_and_link_tables_are_among_the_models_checked():
    labels = {model._meta.label for model in all_models()}
    assert {
        "cases.HistoricalPerson",
        "cases.CaseNote_people_present",
        "cases.HistoricalCaseNote_people_mentioned",
    } <= labels
    assert declaration_for(apps.get_model("cases.HistoricalCaseNote_people_mentioned")).rule == Rule.FAMILY
    assert declaration_for(apps.get_model("core.User_groups")).rule == Rule.STAFF


def _path_problems(model) -> list[str]:
    declaration = declaration_for(model)
    name = model._meta.label
    if (
        declaration.rule == Rule.OWN_POLICY
        and declaration.record_kind not in RetentionPolicy.RecordKind.values
    ):
        return [f"{name}: unknown record kind {declaration.record_kind!r}"]
    if declaration.rule != Rule.FAMILY or history_of(model) is not None:
        return []
    problems = []
    for field_name, target in declaration.via.items():
        try:
            field = model._meta.get_field(field_name)
        except Exception:  # noqa: BLE001 - reported below
            problems.append(f"{name}.{field_name}: no such field")
            continue
        if field.is_relation and field.related_model._meta.label != target:
            problems.append(f"{name}.{field_name} points at {field.related_model._meta.label}, not {target}")
        if not field.is_relation and not isinstance(field, models.IntegerField):
            problems.append(f"{name}.{field_name} is neither a relation nor an id column")
        if target not in (FAMILY, PERSON) and declaration_for(apps.get_model(target)).rule != Rule.FAMILY:
            problems.append(f"{name}.{field_name} leads to {target}, which is not destroyed with the family")
    for ref in declaration.generic:
        for field_name in (ref.type_field, ref.id_field):
            try:
                model._meta.get_field(field_name)
            except Exception:  # noqa: BLE001
                problems.append(f"{name}.{field_name}: no such field")
    return problems


def test_each_family_declaration_names_real_fields_that_lead_to_the_family():
    assert [problem for model in all_models() for problem in _path_problems(model)] == []


def test_a_model_pointing_at_a_family_or_person_is_not_declared_free_of_personal_data():
    """A new relation to a family or a person must say how the rule reaches it (data-hub-api's test)."""
    family, person = apps.get_model(FAMILY), apps.get_model(PERSON)
    wrong = [
        model._meta.label
        for model in all_models()
        if any(
            f.is_relation and f.related_model in (family, person)
            for f in model._meta.get_fields()
            if f.concrete
        )
        and declaration_for(model).rule not in (Rule.FAMILY, Rule.OWN_POLICY)
    ]
    assert wrong == []


def test_every_model_destroyed_with_the_family_is_reached_by_the_sweep():
    s = schema()
    reached = {node.model for node in s.nodes} | {generic.model for generic in s.generics}
    for model in all_models():
        if history_of(model) is None and declaration_for(model).rule == Rule.FAMILY:
            assert model in reached, model._meta.label
    for node in s.nodes:
        if node.model._meta.label not in (FAMILY, PERSON):
            assert node.links, f"{node.model._meta.label} has no path to a family or person"
        # Every history table of a destroyed model is destroyed with it.
        for history in node.history:
            assert history_of(history) is node.model
