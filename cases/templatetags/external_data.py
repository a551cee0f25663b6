"""The person page's section on data from other services (SPEC §4.5), kept out of cases.views.

The person page's view logs the read of the person; this adds the records of that person in
that family, with offending values shown only to holders of `cases.view_offence_data`.
"""

from django import template

from cases.access import may_change
from cases.models import ExternalDataRecord

register = template.Library()


@register.simple_tag(takes_context=True)
def external_data_for(context, person, family) -> dict:
    user = context["request"].user
    records = []
    if user.has_perm("cases.view_externaldatarecord"):
        records = list(
            ExternalDataRecord.objects.filter(person=person, family=family).order_by("-period_start", "kind")
        )
    return {
        "records": records,
        "show_offence_data": user.has_perm("cases.view_offence_data"),
        "can_merge": user.has_perm("cases.merge_person") and may_change(user, family),
    }
