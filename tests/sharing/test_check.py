"""The one sharing check, branch by branch (SPEC §6.2; domain-rules §1, §4, §5; ADR 0004).

The table states each rule as: the scene, what is asked, Maya's outcome, the
condition that failed (if any) and the words that explain it. Tests below the
table cover what a single row cannot: several people, ambiguity between
agreements, the stored answer and the plain-English summary.
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from consent.models import ConsentRecord
from sharing.check import (
    ALLOWED,
    NEEDS_APPROVAL,
    NOT_SHARED,
    PARTLY,
    REFUSED,
    SHARED,
    CheckResult,
    Safeguarding,
    check_disclosure,
)
from sharing.factories import DataSharingAgreementFactory
from sharing.models import AgreementDataCategory, DataCategory, LawfulBasis

pytestmark = pytest.mark.django_db

GIVEN = ConsentRecord.Decision.GIVEN
REFUSED_WISH = ConsentRecord.Decision.REFUSED
WITHDRAWN = ConsentRecord.Decision.WITHDRAWN
TODAY = datetime.date.today


class Scene:
    """Fixtures by attribute, created on first use: `scene.agreement`, `scene.maya`…"""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


@pytest.fixture
def scene(request, maya):
    return Scene(request)


def _agreement(scene, **kwargs):
    kwargs.setdefault("organisation", scene.police)
    kwargs.setdefault("purposes", ["early_help", "safeguarding"])
    kwargs.setdefault(
        "categories", ["identity", "address", "family_circumstances", ("health_send", "sch1_para2")]
    )
    return DataSharingAgreementFactory(**kwargs)


def _long(day) -> str:
    return f"{day.day} {day:%B %Y}"


def _last_year():
    return TODAY() - relativedelta(years=1)


def _consent_agreement(scene):
    return _agreement(scene, lawful_basis=LawfulBasis.CONSENT)


def _no_condition(scene):
    agreement = _agreement(scene, categories=["identity"])
    # Written directly: the admin form refuses it (test_agreements), but the check must not trust that.
    AgreementDataCategory.objects.create(
        agreement=agreement, category=DataCategory.objects.get(code="health_send")
    )
    return {"categories": ["health_send"]}


def _restricted(scene, lifted_on=None):
    assert scene.agreement
    scene.restrict(scene.maya, on=TODAY() - datetime.timedelta(days=10), lifted_on=lifted_on)
    return {}


SAFE_NOW = Safeguarding("Maya told us her partner threatened the children last night.", immediate_risk=True)
SAFE_LATER = Safeguarding("Worsening neglect reported by school over three weeks.", immediate_risk=False)

# (arrange(scene) -> changes to the question, Maya's outcome, failed condition, words)
RULES = [
    # 1. An agreement with the recipient in force, covering the purpose.
    pytest.param(
        lambda s: {},
        REFUSED,
        "agreement_in_force",
        "There is no data sharing agreement with Thames Valley Police.",
        id="no agreement with the recipient",
    ),
    pytest.param(
        lambda s: _agreement(s, signed=False) and {},
        REFUSED,
        "agreement_in_force",
        "Thames Valley Police had not signed it",
        id="agreement not signed by the partner",
    ),
    pytest.param(
        lambda s: _agreement(s, council_signed_on=None, council_signed_by="") and {},
        REFUSED,
        "agreement_in_force",
        "the council had not signed it",
        id="agreement not signed by the council",
    ),
    pytest.param(
        lambda s: (
            _agreement(s, start_date=TODAY() + datetime.timedelta(days=5), council_signed_on=TODAY()) and {}
        ),
        REFUSED,
        "agreement_in_force",
        "it starts on",
        id="agreement not started",
    ),
    pytest.param(
        lambda s: (
            _agreement(s, start_date=_last_year(), end_date=TODAY() - datetime.timedelta(days=1)) and {}
        ),
        REFUSED,
        "agreement_in_force",
        "it ended on",
        id="agreement ended",
    ),
    pytest.param(
        lambda s: _agreement(s, revoked_on=TODAY(), revocation_reason="Breach by the partner") and {},
        REFUSED,
        "agreement_in_force",
        "it was revoked on",
        id="agreement revoked",
    ),
    pytest.param(
        lambda s: _agreement(s, purposes=["referral"]) and {},
        REFUSED,
        "agreement_covers_purpose",
        "does not cover the purpose “Co-ordinating support for the family (early help)”",
        id="agreement does not cover the purpose",
    ),
    pytest.param(
        lambda s: s.agreement and {"basis_hint": LawfulBasis.CONSENT},
        REFUSED,
        "agreement_in_force",
        "relies on Art 6(1)(a) consent",
        id="no agreement on the basis asked for",
    ),
    # 2. Categories listed; special category and criminal offence data with their condition.
    pytest.param(
        lambda s: s.agreement and {"categories": ["identity", "offending"]},
        ALLOWED,
        "category:offending",
        "does not list “Offending and anti-social behaviour”",
        id="a category not listed is withheld, the rest goes",
    ),
    pytest.param(
        lambda s: s.agreement and {"categories": ["contact"]},
        REFUSED,
        "category:contact",
        "does not list “Phone and email”",
        id="nothing listed: refused",
    ),
    pytest.param(
        lambda s: s.agreement and {"categories": ["health_send"]},
        ALLOWED,
        None,
        "lists it with its Art 9 condition: DPA 2018 Sch 1 para 2",
        id="special category listed with its condition",
    ),
    pytest.param(
        _no_condition,
        REFUSED,
        "category:health_send",
        "without its Art 9 condition",
        id="special category listed without a condition",
    ),
    pytest.param(
        lambda s: (
            _agreement(s, categories=["identity", ("offending", "sch1_para10")])
            and {"categories": ["offending"]}
        ),
        ALLOWED,
        None,
        "lists it with its Art 10 condition: DPA 2018 Sch 1 para 10",
        id="criminal offence data listed with its condition",
    ),
    # 3a. Consent as the agreement's basis.
    pytest.param(
        lambda s: _consent_agreement(s) and s.consent(s.maya, "partner:police", GIVEN) and {},
        ALLOWED,
        None,
        "Maya Reid gave consent for “Sharing with the police”",
        id="consent basis: consent given",
    ),
    pytest.param(
        lambda s: _consent_agreement(s) and s.consent(s.maya, "partner:police", WITHDRAWN) and {},
        REFUSED,
        "consent",
        "Maya Reid withdrew consent for “Sharing with the police”",
        id="consent basis: consent withdrawn",
    ),
    pytest.param(
        lambda s: _consent_agreement(s) and s.consent(s.maya, "partner:police", REFUSED_WISH) and {},
        REFUSED,
        "consent",
        "Maya Reid refused consent for “Sharing with the police”",
        id="consent basis: consent refused",
    ),
    pytest.param(
        lambda s: _consent_agreement(s) and {},
        REFUSED,
        "consent",
        "Maya Reid has not been asked for consent for “Sharing with the police”",
        id="consent basis: never asked",
    ),
    pytest.param(
        lambda s: (
            _agreement(s, organisation=s.housing, lawful_basis=LawfulBasis.CONSENT)
            and {"recipient": s.housing}
        ),
        REFUSED,
        "consent",
        "no consent purpose is registered for housing partners",
        id="consent basis: no consent purpose for the partner category",
    ),
    pytest.param(
        lambda s: _consent_agreement(s) and s.consent(s.maya, "partner:school", GIVEN) and {},
        REFUSED,
        "consent",
        "has not been asked for consent for “Sharing with the police”",
        id="consent basis: consent for another partner category does not count",
    ),
    # 3b. Public task / legal obligation: wishes count; going against them needs a reason and approval.
    pytest.param(
        lambda s: s.agreement and s.consent(s.maya, "partner:police", GIVEN) and {},
        ALLOWED,
        None,
        "relies on Art 6(1)(e) public task, so sharing may go ahead",
        id="public task: wishes say yes",
    ),
    pytest.param(
        lambda s: s.agreement and {},
        ALLOWED,
        None,
        "Maya Reid has not been asked about “Sharing with the police”",
        id="public task: never asked",
    ),
    pytest.param(
        lambda s: s.agreement and s.consent(s.maya, "partner:police", REFUSED_WISH) and {},
        REFUSED,
        "override_reason",
        "Give your reason for sharing against Maya Reid's wishes",
        id="public task: refusal without a reason",
    ),
    pytest.param(
        lambda s: (
            s.agreement
            and s.consent(s.maya, "partner:police", WITHDRAWN)
            and {"override_reason": "Police need the address to serve a child protection order."}
        ),
        NEEDS_APPROVAL,
        "manager_approval",
        "A manager must approve before anything is sent.",
        id="public task: withdrawal overridden with a reason needs a manager",
    ),
    pytest.param(
        lambda s: (
            _agreement(s, lawful_basis=LawfulBasis.LEGAL_OBLIGATION)
            and s.consent(s.maya, "partner:police", REFUSED_WISH)
            and {"override_reason": "Court order."}
        ),
        NEEDS_APPROVAL,
        "wishes",
        "relies on Art 6(1)(c) legal obligation, so sharing against their wishes needs your reason",
        id="legal obligation: refusal overridden with a reason needs a manager",
    ),
    pytest.param(
        lambda s: _agreement(s, organisation=s.housing) and {"recipient": s.housing},
        ALLOWED,
        None,
        "No sharing wishes are asked for housing partners",
        id="public task: no wishes asked for this kind of partner",
    ),
    # 3c. Safeguarding.
    pytest.param(
        lambda s: {"safeguarding": SAFE_NOW},
        ALLOWED,
        None,
        "Allowed as a one-off safeguarding disclosure, flagged for the DPO's review.",
        id="safeguarding, no agreement, immediate risk: shared now",
    ),
    pytest.param(
        lambda s: {"safeguarding": SAFE_LATER},
        NEEDS_APPROVAL,
        "manager_approval",
        "The risk is not immediate: a manager must approve before anything is sent.",
        id="safeguarding, not immediate: manager first",
    ),
    pytest.param(
        lambda s: {"safeguarding": Safeguarding("   ", immediate_risk=True)},
        REFUSED,
        "safeguarding_justification",
        "Give a written justification",
        id="safeguarding without a justification",
    ),
    pytest.param(
        lambda s: s.consent(s.maya, "partner:police", REFUSED_WISH) and {"safeguarding": SAFE_NOW},
        ALLOWED,
        None,
        "Safeguarding sharing may go ahead with or without consent",
        id="safeguarding against a refusal",
    ),
    pytest.param(
        lambda s: _consent_agreement(s) and {"safeguarding": SAFE_NOW, "categories": ["offending"]},
        ALLOWED,
        None,
        "Its Art 10 condition is DPA 2018 Sch 1 para 18",
        id="safeguarding beyond the agreement's categories, with para 18",
    ),
    # Restriction (SPEC §8.2).
    pytest.param(
        _restricted,
        REFUSED,
        "restriction",
        "under a restriction of processing (UK GDPR Art 18)",
        id="restricted person",
    ),
    pytest.param(
        lambda s: _restricted(s, lifted_on=TODAY() - datetime.timedelta(days=1)),
        ALLOWED,
        None,
        "No restriction of processing is in force for Maya Reid.",
        id="restriction lifted",
    ),
    pytest.param(
        lambda s: {**_restricted(s), "safeguarding": SAFE_NOW},
        ALLOWED,
        None,
        "allows sharing only for safeguarding (SPEC §8.2): this is a safeguarding disclosure",
        id="restricted person, safeguarding",
    ),
    # Education opt-out (domain-rules §5).
    pytest.param(
        lambda s: (
            s.agreement
            and s.opt_out(s.maya, TODAY() - datetime.timedelta(days=3))
            and {"categories": ["identity", "address", "health_send"]}
        ),
        ALLOWED,
        "education_opt_out",
        "only name, address and date of birth may be shared, so “Health, disability and SEND” is withheld",
        id="education opt-out withholds everything but name, address and date of birth",
    ),
    pytest.param(
        lambda s: (
            s.agreement
            and s.opt_out(s.maya, TODAY() - datetime.timedelta(days=3))
            and {"categories": ["family_circumstances"]}
        ),
        REFUSED,
        "education_opt_out",
        "so “Family circumstances” is withheld",
        id="education opt-out leaves nothing to share",
    ),
    # Membership.
    pytest.param(
        lambda s: s.agreement and {"family": s.other_family},
        REFUSED,
        "family_member",
        "Maya Reid is not a member of family",
        id="person not in the family",
    ),
]


@pytest.fixture
def other_family(north_team):
    from cases.factories import FamilyFactory

    return FamilyFactory(team=north_team)


@pytest.mark.parametrize(("arrange", "outcome", "failed", "words"), RULES)
def test_the_check(scene, arrange, outcome, failed, words):
    question = {
        "people": [scene.maya],
        "recipient": scene.police,
        "categories": ["identity", "address"],
        "purpose": "early_help",
        "on": scene.today,
        "family": scene.family,
    }
    question.update(arrange(scene) or {})
    result = check_disclosure(**question)
    maya = result.person(scene.maya.pk)
    assert maya.outcome == outcome, result.summary
    explanations = " | ".join(c.explanation for c in maya.conditions)
    if failed:
        assert failed in [c.code for c in maya.failed], explanations
        assert any(words in c.explanation for c in maya.failed if c.code == failed), explanations
    else:
        assert not [c for c in maya.failed if c.code != "manager_approval"], explanations
        assert words in explanations
    if outcome == REFUSED:
        assert maya.categories_allowed == ()
        assert maya.decision == NOT_SHARED
        assert words in result.summary


def test_several_people_get_their_own_answers(
    agreement, maya, dan, tia, police, family, consent, opt_out, today
):
    consent(dan, "partner:police", REFUSED_WISH)
    opt_out(tia, today - datetime.timedelta(days=1))
    result = check_disclosure(
        people=[maya, dan, tia],
        recipient=police,
        categories=["identity", "family_circumstances"],
        purpose="early_help",
        on=today,
        family=family,
    )
    assert [p.outcome for p in result.people] == [ALLOWED, REFUSED, ALLOWED]
    assert [p.decision for p in result.people] == [SHARED, NOT_SHARED, PARTLY]
    assert result.person(tia.pk).categories_allowed == ("identity",)
    assert result.decision == PARTLY
    summary = result.summary
    assert "Maya Reid: name and date of birth, family circumstances may be shared" in summary
    assert "Dan Cole: not to be shared. Dan Cole refused consent for “Sharing with the police”" in summary
    assert "Tia Reid: name and date of birth may be shared" in summary
    assert "Withheld: family circumstances." in summary


def test_a_withdrawal_counts_from_its_date(maya, police, family, consent, today):
    _consent_agreement_for(police)
    consent(maya, "partner:police", GIVEN, on=today - datetime.timedelta(days=60))
    consent(maya, "partner:police", WITHDRAWN, on=today - datetime.timedelta(days=5))
    ask = {"people": [maya], "recipient": police, "categories": ["identity"], "purpose": "early_help"}
    assert check_disclosure(on=today - datetime.timedelta(days=6), **ask).people[0].outcome == ALLOWED
    assert check_disclosure(on=today - datetime.timedelta(days=5), **ask).people[0].outcome == REFUSED


def _consent_agreement_for(police):
    return DataSharingAgreementFactory(organisation=police, lawful_basis=LawfulBasis.CONSENT)


def test_agreements_on_different_bases_need_the_worker_to_choose(maya, police, today):
    DataSharingAgreementFactory(organisation=police, lawful_basis=LawfulBasis.CONSENT)
    public = DataSharingAgreementFactory(organisation=police, lawful_basis=LawfulBasis.PUBLIC_TASK)
    ask = {
        "people": [maya],
        "recipient": police,
        "categories": ["identity"],
        "purpose": "early_help",
        "on": today,
    }
    ambiguous = check_disclosure(**ask)
    assert ambiguous.people[0].outcome == REFUSED
    assert "choose the basis this sharing relies on" in ambiguous.failed[0].explanation
    chosen = check_disclosure(basis_hint=LawfulBasis.PUBLIC_TASK, **ask)
    assert chosen.agreement_id == public.pk
    assert chosen.people[0].outcome == ALLOWED


def test_the_agreement_listing_every_category_is_preferred(maya, police, today):
    DataSharingAgreementFactory(organisation=police, categories=["identity"])
    fuller = DataSharingAgreementFactory(
        organisation=police, lawful_basis=LawfulBasis.LEGAL_OBLIGATION, categories=["identity", "education"]
    )
    result = check_disclosure(
        people=[maya], recipient=police, categories=["identity", "education"], purpose="early_help", on=today
    )
    assert result.agreement_id == fuller.pk
    assert result.people[0].decision == SHARED


def test_equality_monitoring_never_covers_sharing_about_a_person(maya, police, today):
    agreement = DataSharingAgreementFactory(organisation=police, categories=["identity"])
    AgreementDataCategory.objects.create(
        agreement=agreement,
        category=DataCategory.objects.get(code="ethnicity_religion"),
        condition="sch1_para8",
    )
    result = check_disclosure(
        people=[maya], recipient=police, categories=["ethnicity_religion"], purpose="early_help", on=today
    )
    assert result.people[0].outcome == REFUSED
    assert "aggregate statistics only" in result.people[0].failed[0].explanation


def test_safeguarding_is_always_flagged_for_approval_and_dpo_review(maya, police, today):
    result = check_disclosure(
        people=[maya],
        recipient=police,
        categories=["identity"],
        purpose="safeguarding",
        on=today,
        safeguarding=SAFE_NOW,
    )
    maya_result = result.people[0]
    assert (result.without_agreement, result.basis, maya_result.basis) == (
        True,
        "safeguarding",
        "safeguarding",
    )
    assert (maya_result.approval, maya_result.dpo_review) == ("retrospective", True)
    assert "A manager must approve it afterwards." in result.summary
    assert "to the DPO for review" in result.summary


def test_the_answer_is_stored_and_replayed_exactly(agreement, maya, dan, police, family, consent, today):
    consent(dan, "partner:police", WITHDRAWN)
    result = check_disclosure(
        people=[maya, dan],
        recipient=police,
        categories=["identity", "health_send"],
        purpose="early_help",
        on=today,
        family=family,
        override_reason="Needed to protect Leo.",
    )
    replayed = CheckResult.from_dict(result.to_dict())
    assert replayed == result
    assert replayed.summary == result.summary
    assert replayed.fingerprint() == result.fingerprint()
    assert result.conditions_by_category == {"health_send": "sch1_para2"}


def test_the_fingerprint_changes_when_the_answer_does(agreement, maya, police, consent, today):
    ask = {
        "people": [maya],
        "recipient": police,
        "categories": ["identity"],
        "purpose": "early_help",
        "on": today,
    }
    before = check_disclosure(**ask).fingerprint()
    assert check_disclosure(**ask).fingerprint() == before
    consent(maya, "partner:police", WITHDRAWN, on=today)
    assert check_disclosure(**ask).fingerprint() != before


def test_nothing_chosen_is_refused_with_a_reason(agreement, maya, police, today):
    result = check_disclosure(people=[maya], recipient=police, categories=[], purpose="early_help", on=today)
    assert result.people[0].outcome == REFUSED
    assert "Choose at least one kind of information to share." in result.summary


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("purpose", "gossip", "not a sharing purpose"), ("categories", ["shoe_size"], "not data categories")],
)
def test_an_unknown_code_fails_loudly(agreement, maya, police, today, field, value, message):
    ask = {
        "people": [maya],
        "recipient": police,
        "categories": ["identity"],
        "purpose": "early_help",
        "on": today,
    }
    ask[field] = value
    with pytest.raises(ValueError, match=message):
        check_disclosure(**ask)


def test_the_check_reads_the_consent_of_the_partner_category(maya, school, consent, today):
    DataSharingAgreementFactory(organisation=school, lawful_basis=LawfulBasis.CONSENT)
    consent(maya, "partner:school", GIVEN)
    result = check_disclosure(
        people=[maya], recipient=school, categories=["identity"], purpose="early_help", on=today
    )
    assert result.people[0].consent_purpose == "partner:school"
    assert result.people[0].relied_on_consent is True
    assert result.people[0].outcome == ALLOWED


def test_the_check_writes_nothing(agreement, maya, police, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        check_disclosure(
            people=[maya], recipient=police, categories=["identity"], purpose="early_help", on=today
        )
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)


def test_a_refusal_names_the_condition_that_refused_the_person_not_a_withheld_category(
    agreement, maya, dan, police, consent, today
):
    consent(dan, "partner:police", WITHDRAWN)
    result = check_disclosure(
        people=[maya, dan],
        recipient=police,
        categories=["identity", "offending"],
        purpose="early_help",
        on=today,
    )
    dan_line = next(line for line in result.summary.splitlines() if line.startswith("Dan Cole:"))
    assert "withdrew consent for “Sharing with the police”" in dan_line
    assert "Offending" not in dan_line
    assert "Withheld: offending and anti-social behaviour." in result.summary
