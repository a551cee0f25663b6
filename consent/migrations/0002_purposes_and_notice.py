"""Load the consent purposes (SPEC §5.1) and the privacy notice as version 1, published.

The notice is the service's published text (shared/seed/privacy-notice.txt),
corrected where domain-rules §1 says it is loose:
- lawful bases named with their paragraphs: Art 6(1)(e) public task for the
  service, Art 6(1)(c) legal obligation for statutory returns, consent only
  where a sharing agreement relies on it; the service's voluntary agreement to
  work together and to record information is said to be something else;
- the special category list (racial or ethnic origin, religious beliefs,
  health including SEND), gender protected the same way though not special
  category, and criminal offence data (Art 10);
- the programme is Supporting Families, run by the Department for Education
  since 1 April 2024; the anonymised return goes to the department that runs
  the programme;
- rights (access, rectification, erasure, restriction, objection), the
  council's own complaints process (domain-rules §1.6) and the ICO.
The controller's name, contacts, address, the retention sentence and the ICO
link are placeholders filled when the page is rendered (consent.notice), never
stored text.
"""

from datetime import date

from django.db import migrations
from django.utils import timezone

PURPOSES = [
    # code, kind, label, short label
    ("service", "service", "Agreement to work with the service", "Work with us"),
    ("record", "record", "Agreement to gather and store information", "Record information"),
    ("programme", "programme", "Sharing with the national programme (Supporting Families)", "Programme"),
    ("inbound:social_care", "inbound", "Social care sharing into the programme", "From social care"),
    ("inbound:housing", "inbound", "Housing sharing into the programme", "From housing"),
    ("inbound:health", "inbound", "Health services sharing into the programme", "From health"),
    (
        "inbound:other_council",
        "inbound",
        "Other council departments sharing into the programme",
        "From council",
    ),
    ("partner:police", "partner", "Sharing with the police", "Police"),
    ("partner:gp", "partner", "Sharing with GPs", "GP"),
    ("partner:camhs", "partner", "Sharing with child and adolescent mental health services (CAMHS)", "CAMHS"),
    ("partner:hospital", "partner", "Sharing with hospitals", "Hospital"),
    ("partner:early_years", "partner", "Sharing with early years settings", "Early years"),
    ("partner:school", "partner", "Sharing with schools", "School"),
    ("partner:college", "partner", "Sharing with colleges", "College"),
    ("partner:social_care", "partner", "Sharing with social care", "Social care"),
    ("partner:government_department", "partner", "Sharing with government departments", "Government"),
]

# The day this corrected text was adopted; later versions are drafted and published by the DPO.
EFFECTIVE_FROM = date(2026, 11, 26)

TITLE = "{service_name} privacy notice"

SUMMARY = (
    "Information on how the {service_name} collects, uses and handles information; who you can "
    "contact to access your information, and where to go to make a complaint."
)

SECTIONS = [
    (
        "What is the {service_name}?",
        """\
The {service_name} is there for families with children aged 0 to 19 years (or up to 25 years for those with a special educational need or a disability) who need help to prevent problems from getting worse.

Getting help from this service is voluntary. Before we start working with you, we will ask whether you agree to work with us, and whether you agree to us gathering and storing information about you and your family. We record your answers. You can change your mind at any time by telling your worker, and we will record that straight away. Changing your mind does not undo what was done before, and it does not delete the records we already hold (see "How long will your information be kept?").

Agreeing to work with us is not the legal reason we are allowed to use your information. That is explained under "Why does the {service_name} collect your information?".

Information about families who receive help from the {service_name} is used for the national programme called Supporting Families (it used to be called Troubled Families), which aims to improve the lives of families with multiple needs. The programme helps families with things such as getting a good education, good early years development, mental and physical health, drug and alcohol use, family relationships, keeping children safe, crime, domestic abuse, secure housing and money. Since 1 April 2024 the programme has been run by the Department for Education.

Information from other services, including social care, housing, health and other council departments, may also be used for the programme where your family meets its criteria. We will ask what you want for each of these services, and record your wishes.""",
    ),
    (
        "Where is my personal information stored?",
        """\
{controller_name} holds your personal information in order to provide services to you. This includes facts about you like your name, date of birth and address, and details about the work we do with you. This information about you and your family is held on {controller_name}'s electronic systems or, in some cases, on paper documents. All of it is stored securely and confidentially and can only be seen by people who have the authority to do so. Personal information shared securely with us by other departments and agencies is stored on the council's internal system, where access is restricted.

Information on school attendance and attainment, criminal offences, benefits and employment is collected routinely by government departments.

The information we hold is also used for monitoring and reporting on progress and may contribute to national evaluations. When it is, your identity is protected and the information is used for statistics only.""",
    ),
    (
        "Who is my information being shared with?",
        """\
Your information may be shared with partners and organisations to help you achieve your goals, where this is in your best interest, for example:

- the police
- GPs
- child and adolescent mental health services (CAMHS)
- hospitals
- early years settings
- schools and colleges
- social care
- government departments

We will ask what you want for each kind of partner and record your wishes. Partners need your information to provide you with a service and will not share it further, except to keep someone safe or where the law requires it.

Each regular arrangement for sharing is set out in a written data sharing agreement, which says the legal reason for the sharing. Where an agreement relies on your consent, we will not share your information under it unless you have given your consent, and not after you withdraw it. Where an agreement relies on our public task or a legal obligation, your wishes still count: if we ever need to share against them, we record the reason and a manager must approve it.

If we are worried that a child or an adult is at risk of harm, we may share information to protect them, with or without your agreement. We record what was shared, with whom and why.

In addition, the law says we must collect information about young people's participation in education, employment and training and report it to the Government. This is written in the Education Act 1996 and the Education and Skills Act 2008. We may contact you to find out your current activity if you live or are in learning in the council's area. Under the Education and Skills Act 2008, a young person aged 16 or over, or the parent of a pupil under 16, can ask that no more than their name, address and date of birth is passed on. If you have asked this, tell us and we will share no more than that.

Your information will also be shared with the Office for National Statistics (ONS) for research. ONS will ask government departments to match identifiers such as names and dates of birth to the information they routinely collect, to measure your progress. The information will be transferred, handled and stored by ONS and securely destroyed when the research project is complete, in line with data protection law.

Anonymised information about the support you receive and the outcomes you achieve will be shared with the government department that runs the Supporting Families programme, which is currently the Department for Education.

Information is shared for research to help the Government and local service providers understand whether the programme has been effective in improving the lives of families. Each organisation signs an agreement to make sure that your personal information is stored, managed, processed and destroyed properly.""",
    ),
    (
        "How will this affect me?",
        """\
The services provided to you will be based on the needs of your family, to support you and help you make improvements in the areas where you have said you need some help.

The information used for research will be anonymised so no one will be able to identify you, and results about the success of the programme will be reported at group level only. For example, a report might say: "Over 50% of families on the programme were successful in reducing their offending behaviour for 6 months after receiving support as part of the programme."

The results will not be used to make any decisions about the service you receive and will not affect any benefits, services or treatment you may be entitled to.""",
    ),
    (
        "How do I access my information?",
        """\
You have the right to ask for a copy of the personal information we hold about you. This is known as a subject access request. It is free, and we will normally reply within one month. To make a request, email {dpo_email} or write to the Data Protection Officer at:

{address}

In some circumstances, you may also be able to ask for a copy of someone else's information if you have responsibility for that person, for example as the parent of a young child.

To ask for any other information held by the council, email {foi_email} or write to the Freedom of Information Officer at:

{address}""",
    ),
    (
        "Your other rights",
        """\
You also have the right to:

- ask us to correct information about you that is wrong or incomplete (rectification)
- ask us to delete your information (erasure), although we may not be able to where we must keep it by law or to carry out our public task, and we will tell you why
- ask us to limit how we use your information (restriction), for example while we check whether it is accurate
- object to how we use your information: where we rely on our public task, we will stop unless there are compelling reasons to continue, and we will tell you what we decided
- withdraw your consent at any time, where we rely on it

If we correct information that we have shared with another organisation, we will tell them. To use any of these rights, contact the Data Protection Officer at {dpo_email}. We will normally reply within one month.""",
    ),
    (
        "Who is the Data Controller and Data Protection Officer?",
        """\
{controller_name} is the Data Controller and the address is:

{address}

The council's Data Protection Officer can be contacted at {dpo_email} or at the address above.""",
    ),
    (
        "Why does the {service_name} collect your information?",
        """\
We collect and use your information to provide the {service_name} to you and your family. The law that allows this is the UK General Data Protection Regulation (UK GDPR) and the Data Protection Act 2018. The lawful bases we rely on are:

- Article 6(1)(e) UK GDPR, public task: providing early help to children and families is one of the council's public functions, under the Children Act 1989 and the Children Act 2004. This is the basis for the {service_name}'s work with you.
- Article 6(1)(c) UK GDPR, legal obligation: where the law says we must collect and report information, such as young people's participation in education, employment and training and other statutory returns.
- Article 6(1)(a) UK GDPR, consent: only where a data sharing agreement with a partner relies on your consent (see "Who is my information being shared with?").

The personal information we collect about you includes things like your name and address. It can also include information that the law treats as more sensitive, called "special category data", such as:

- your racial or ethnic origin
- your religious beliefs
- your health, including any special educational needs or disability (SEND)

We also record your gender. Gender is not special category data in law, but we protect it in the same way. Information from the police about offending or anti-social behaviour is "criminal offence data" (Article 10 UK GDPR) and is protected in the same way too.

We use special category and criminal offence data only where Article 9 or Article 10 UK GDPR and Schedule 1 to the Data Protection Act 2018 allow it, for example for social care, to keep children and adults at risk safe, or for equality monitoring. We use your ethnic origin and religion only for equality statistics, never to make decisions about you, and you do not have to tell us them.""",
    ),
    (
        "How long will your information be kept?",
        """\
{retention_sentence}

We keep information longer only while it is needed for a legal reason, such as an investigation, legal proceedings or an open request for information, and we destroy it as soon as that has ended.""",
    ),
    (
        "Complaints",
        """\
If you are unhappy with how we have used your information, please tell us first. You can complain to the council's Data Protection Officer by email at {dpo_email} or by post to the address under "Who is the Data Controller and Data Protection Officer?". We will acknowledge your complaint within 30 days, keep you updated on our progress and tell you the outcome.

You also have the right to complain to the Information Commissioner's Office (ICO), the UK's independent regulator for data protection, at {ico_url}.""",
    ),
]


def load(apps, schema_editor):
    ConsentPurpose = apps.get_model("consent", "ConsentPurpose")
    PrivacyNoticeVersion = apps.get_model("consent", "PrivacyNoticeVersion")
    PrivacyNoticeSection = apps.get_model("consent", "PrivacyNoticeSection")
    for position, (code, kind, label, short_label) in enumerate(PURPOSES, start=1):
        ConsentPurpose.objects.get_or_create(
            code=code,
            defaults={"kind": kind, "label": label, "short_label": short_label, "position": position * 10},
        )
    if PrivacyNoticeVersion.objects.filter(version=1).exists():
        return
    version = PrivacyNoticeVersion.objects.create(
        version=1,
        status="published",
        effective_from=EFFECTIVE_FROM,
        title=TITLE,
        summary=SUMMARY,
        change_summary=(
            "The service's published notice, corrected: lawful bases named (Art 6(1)(e), 6(1)(c), consent "
            "only where a sharing agreement relies on it); special category and criminal offence data; "
            "Supporting Families run by the Department for Education since 1 April 2024; rights; the "
            "council's complaints process. Contacts, address and retention period filled from settings and "
            "the retention policy."
        ),
        published_at=timezone.now(),
    )
    for position, (heading, body) in enumerate(SECTIONS, start=1):
        PrivacyNoticeSection.objects.create(version=version, position=position, heading=heading, body=body)


def unload(apps, schema_editor):
    apps.get_model("consent", "PrivacyNoticeVersion").objects.filter(version=1).delete()
    apps.get_model("consent", "ConsentPurpose").objects.filter(code__in=[p[0] for p in PURPOSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_records_and_notice")]
    operations = [migrations.RunPython(load, unload)]
