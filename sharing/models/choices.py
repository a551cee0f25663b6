"""Legal vocabularies the sharing records use (UK GDPR Arts 6, 9, 10; DPA 2018 Sch 1)."""

from django.db import models


class LawfulBasis(models.TextChoices):
    """The Art 6 basis a data sharing agreement relies on (domain-rules §1.1).

    Legitimate interests (6(1)(f)) is left out: a public authority cannot rely
    on it for its tasks (Art 6(1), last paragraph). Contract (6(1)(b)) does not
    arise in this service.
    """

    CONSENT = "consent", "Art 6(1)(a) consent"
    LEGAL_OBLIGATION = "legal_obligation", "Art 6(1)(c) legal obligation"
    VITAL_INTERESTS = "vital_interests", "Art 6(1)(d) vital interests"
    PUBLIC_TASK = "public_task", "Art 6(1)(e) public task"


# The basis a disclosure records: the agreement's, or a safeguarding decision (domain-rules §1.2).
SAFEGUARDING = "safeguarding"
DISCLOSURE_BASIS_CHOICES = [
    *LawfulBasis.choices,
    (SAFEGUARDING, "Safeguarding: Art 6(1)(e) public task with DPA 2018 Sch 1 para 18"),
]


class SpecialCondition(models.TextChoices):
    """Art 9 conditions for special category data, and the DPA 2018 Sch 1 conditions that also
    serve Art 10 (criminal offence data, DPA 2018 s.10(5)); domain-rules §4."""

    EXPLICIT_CONSENT = "explicit_consent", "Art 9(2)(a) explicit consent"
    HEALTH_SOCIAL_CARE = "sch1_para2", "DPA 2018 Sch 1 para 2: health or social care purposes"
    STATUTORY = "sch1_para6", "DPA 2018 Sch 1 para 6: statutory and government purposes"
    EQUALITY = "sch1_para8", "DPA 2018 Sch 1 para 8: equality of opportunity (aggregate monitoring only)"
    UNLAWFUL_ACTS = "sch1_para10", "DPA 2018 Sch 1 para 10: preventing or detecting unlawful acts"
    SAFEGUARDING = "sch1_para18", "DPA 2018 Sch 1 para 18: safeguarding of children and individuals at risk"
    RESEARCH = "research", "Art 9(2)(j) and DPA 2018 Sch 1 para 4: research and statistics"


# Domain-rules §4: equality monitoring is for aggregate use only, never a decision about a person,
# so this condition never covers a disclosure about someone named.
AGGREGATE_ONLY_CONDITIONS = {SpecialCondition.EQUALITY}


class TransferMethod(models.TextChoices):
    SECURE_EMAIL = "secure_email", "Secure email (for example NHSmail, CJSM or a gov.uk secure domain)"
    SECURE_PORTAL = "secure_portal", "Secure file transfer portal"
    ENCRYPTED_FILE = "encrypted_file", "Encrypted file, password sent separately"
    SYSTEM = "system", "System-to-system transfer"
    PHONE = "phone", "Phone (verbal)"
    MEETING = "meeting", "In a meeting (for example a strategy or team-around-the-family meeting)"
    RECORDED_POST = "recorded_post", "Recorded delivery post"
    BY_HAND = "by_hand", "By hand"
