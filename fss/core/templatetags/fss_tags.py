"""Template helpers shared by every app."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def hidden_fields_except(data, excluded: str):
    """Re-post submitted form data as hidden inputs, leaving out the names listed (comma-separated).

    Used when a page asks a follow-up question (e.g. "is this the same person?")
    and must carry the worker's answers forward without losing them.
    """
    skip = {name.strip() for name in excluded.split(",")}
    return format_html_join(
        "\n",
        '<input type="hidden" name="{}" value="{}">',
        ((name, value) for name in data if name not in skip for value in data.getlist(name)),
    )


@register.simple_tag
def tag(text: str, colour: str = ""):
    """A GOV.UK tag, e.g. {% tag "SEND" "blue" %}."""
    css = f"govuk-tag govuk-tag--{colour}" if colour else "govuk-tag"
    return format_html('<strong class="{}">{}</strong>', css, text)


@register.filter
def index(sequence, position: int):
    """sequence[position] in a template."""
    return sequence[position]


@register.filter
def field(form, name: str):
    """The bound field `name` of `form` (for fields named at run time)."""
    return form[name]


@register.filter
def split(text: str):
    """Split on whitespace: {% for name in "a b"|split %}."""
    return text.split()
