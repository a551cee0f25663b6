"""Charts (issue 9): inline SVG with a text alternative, colours meeting WCAG 2.2 AA contrast."""

import html as htmllib
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from console import charts, selectors
from sar.factories import FOIRequestFactory, RightsRequestFactory, SubjectAccessRequestFactory
from sar.models import SubjectAccessRequest
from sharing.factories import DisclosureFactory, OrganisationFactory
from sharing.models import LawfulBasis
from tests.console.conftest import days, destruction_record, family_due_on, sweep_run


def test_bar_chart_is_an_image_with_a_title_and_a_description_naming_every_figure():
    svg = charts.bar_chart(
        chart_id="c1", title="Families <destroyed>", bars=[("Jan 2026", 3), ("Feb 2026", 0)]
    )
    assert 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Families &lt;destroyed&gt;</title>' in svg
    assert '<desc id="c1-desc">Jan 2026: 3; Feb 2026: 0.</desc>' in svg
    # Every bar carries its number as text, not only its length.
    assert re.findall(r">(\d+)</text>", svg)[-2:] == ["3", "0"]
    assert "<script" not in svg


def test_bar_lengths_are_proportional_to_the_values():
    svg = charts.bar_chart(chart_id="c", title="t", bars=[("a", 10), ("b", 5), ("c", 0)])
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)" height="18"', svg)]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert widths[2] == 0


def test_grouped_chart_has_a_legend_and_a_pattern_per_series():
    svg = charts.grouped_bar_chart(
        chart_id="g", title="t", series=["Received", "Answered in time"], rows=[("Jan", [4, 3])]
    )
    assert "Received" in svg
    assert "Answered in time" in svg
    assert 'id="g-s0"' in svg
    assert 'id="g-s1"' in svg
    assert "Jan: Received 4, Answered in time 3." in svg


def test_a_chart_refuses_mismatched_or_negative_figures():
    with pytest.raises(ValueError, match="has 1 values for 2 series"):
        charts.grouped_bar_chart(chart_id="g", title="t", series=["a", "b"], rows=[("x", [1])])
    with pytest.raises(ValueError, match="cannot be negative"):
        charts.bar_chart(chart_id="g", title="t", bars=[("x", -1)])


@pytest.mark.parametrize("colour", charts.SERIES_COLOURS)
def test_bar_colours_meet_non_text_contrast_against_the_page(colour):
    # WCAG 2.2 SC 1.4.11: graphical objects need 3:1 against adjacent colours (the white page).
    assert charts.contrast_ratio(colour, charts.BACKGROUND) >= 3


@pytest.mark.parametrize("colour", [charts.TEXT, charts.SECONDARY])
def test_chart_text_meets_text_contrast(colour):
    assert charts.contrast_ratio(colour, charts.BACKGROUND) >= 4.5  # SC 1.4.3


def test_contrast_ratio_matches_wcag_reference_values():
    assert charts.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert charts.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def _table(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table class="govuk-table" id="{table_id}">(.*?)</table>', html, re.S).group(1)
    body = body.split("<tbody", 1)[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [
            htmllib.unescape(re.sub(r"<[^>]+>", "", c).strip())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows.append(cells)
    return rows


def _desc(html: str, chart_id: str) -> str:
    return htmllib.unescape(re.search(rf'<desc id="{chart_id}-desc">(.*?)</desc>', html, re.S).group(1))


@pytest.mark.django_db
def test_charts_page_has_a_table_with_the_same_numbers_as_each_chart(client, dpo):
    today = timezone.localdate()
    last_month = today - relativedelta(months=1)
    # Requests: two received last month (one answered then, in time; one still open), one received
    # 70 days ago and answered late today, one FOI received today and still open.
    last_month = last_month.replace(day=1)
    in_time = SubjectAccessRequestFactory(
        received_on=last_month, status=SubjectAccessRequest.Status.COMPLETED, closed_on=last_month + days(3)
    )
    late_received = today - days(70)  # always before last month
    SubjectAccessRequestFactory(
        received_on=late_received, status=SubjectAccessRequest.Status.COMPLETED, closed_on=today
    )
    RightsRequestFactory(received_on=last_month)
    FOIRequestFactory(received_on=today)
    # Destructions: two this month.
    run = sweep_run(by=dpo)
    destruction_record(run=run)
    destruction_record(run=run)
    # Disclosures: two decisions to one police force under public task, one to a school under legal duty.
    police = OrganisationFactory()
    DisclosureFactory(organisation=police)
    DisclosureFactory(organisation=police)
    DisclosureFactory(basis=LawfulBasis.LEGAL_OBLIGATION)
    # Pipeline: one due now, one due in 45 days.
    family_due_on(today - days(3))
    family_due_on(today + days(45))

    client.force_login(dpo)
    html = client.get("/console/charts/").content.decode()

    requests = _table(html, "requests-table")
    assert len(requests) == 12
    by_month = {row[0]: [int(n) for n in row[1:]] for row in requests}
    # Received, answered, answered in time, answered late: an answer counts in the month it was given
    # (sar.selectors.requests_received_and_answered_in_time_by_month).
    assert by_month[f"{today:%b %Y}"] == [1, 1, 0, 1]  # the FOI received; the late SAR answered
    assert by_month[f"{last_month:%b %Y}"] == [2, 1, 1, 0]
    assert by_month[f"{late_received:%b %Y}"] == [1, 0, 0, 0]
    assert in_time.due_date >= in_time.closed_on
    # The chart's description says the same received / answered / in-time numbers as the table.
    desc = _desc(html, "requests")
    for month, (received, answered, in_time_n, _late) in by_month.items():
        assert f"{month}: Received {received}, Answered {answered}, Answered in time {in_time_n}" in desc

    destructions = _table(html, "destructions-table")
    assert destructions[-1] == [f"{today:%b %Y}", "2"]
    assert f"{today:%b %Y}: 2" in _desc(html, "destructions")

    disclosures = _table(html, "disclosures-table")
    assert sorted(int(row[2]) for row in disclosures) == [1, 2]
    for category, basis, n in disclosures:
        assert f"{category}: {basis}: {n}" in _desc(html, "disclosures")

    pipeline = _table(html, "pipeline-table")
    assert pipeline[0] == ["Due now", "1"]
    assert sum(int(row[1]) for row in pipeline) == 2
    for label, n in pipeline:
        assert f"{label}: {n}" in _desc(html, "pipeline")
    # Every chart is an image labelled by its title and description.
    assert html.count('role="img"') == 4


@pytest.mark.django_db
def test_requests_by_month_counts_a_withdrawn_request_as_received_only_not_answered(dpo):
    today = timezone.localdate()
    SubjectAccessRequestFactory(
        received_on=today, status=SubjectAccessRequest.Status.WITHDRAWN, closed_on=today
    )
    month = selectors.requests_by_month(today=today)[-1]
    assert (month.received, month.answered, month.answered_in_time, month.answered_late) == (1, 0, 0, 0)
