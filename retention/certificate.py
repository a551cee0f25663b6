"""The certificate of destruction for one sweep run, as a PDF the DPO files (SPEC §7, domain-rules §8).

It says what the register says and nothing more: the run, its dates and counts,
the policy versions applied, and one line per register entry (its surrogate id,
the start of its keyed hash, dates and counts) — no names, dates of birth,
addresses or family references. It ends with a line for the DPO's signature.
"""

from django.template.loader import render_to_string
from django.utils import timezone

from fss.core.documents import html_to_pdf
from retention.models import SweepRun


def certificate_context(run: SweepRun, *, made_by) -> dict:
    records = list(run.destructions.select_related("policy", "replay_of").order_by("destroyed_at", "pk"))
    policies = sorted(
        {(r.policy.get_record_kind_display(), r.policy_version, r.policy.period_text) for r in records}
    )
    return {
        "run": run,
        "records": records,
        "policies": policies,
        "rows": sum(r.rows_deleted for r in records),
        "people": sum(r.people_destroyed for r in records),
        "files": sum(r.files_deleted for r in records),
        "method": records[0].method if records else "",
        "systems": records[0].systems_covered if records else "",
        "made_at": timezone.localtime(),
        "made_by": made_by.get_full_name() or made_by.get_username(),
    }


def render_certificate_html(run: SweepRun, *, made_by) -> str:
    return render_to_string("retention/certificate_pdf.html", certificate_context(run, made_by=made_by))


def render_certificate_pdf(run: SweepRun, *, made_by) -> bytes:
    return html_to_pdf(render_certificate_html(run, made_by=made_by))
