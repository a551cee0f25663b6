"""Template filters for people and their identifiers."""

from django import template

from cases.identifiers import format_nhs_number, format_ni_number

register = template.Library()


@register.filter
def age_on(person, on):
    """A person's age in completed years on a date (None if unknown)."""
    return person.age_on(on)


@register.filter
def nhs_number(value: str) -> str:
    """An NHS number as people read it: 943 476 5919."""
    return format_nhs_number(value) if value else ""


@register.filter
def ni_number(value: str) -> str:
    """A National Insurance number as HMRC prints it: QQ 12 34 56 C."""
    return format_ni_number(value) if value else ""
