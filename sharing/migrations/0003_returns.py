"""Returns, participation of young people and the disclosure-control policy (SPEC §6.3, §6.4).

Loads, as data (STYLE: guidance changes data, not code):
- the national activity codes of domain-rules §7 with their groups, in force
  from the raising of the participation age (September 2013) — confirm them
  against the current national data specification before go-live; a change is
  a new row with its own effective date. The review period beside each code is
  a local practice default the form offers, not a national rule;
- the default disclosure-control policy of domain-rules §9 (1–9 shown as c,
  others rounded to 5, no percentage out of fewer than 10, secondary suppression);
- the default time the council keeps its copy of a return file (30 days, as
  for subject access download packages; ONS files follow ``ons_transfer_file``).
"""

import datetime
import uuid

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import sharing.returns.models

SPECIFICATION = (
    "National activity codes for the participation of young people (domain-rules §7); "
    "confirm against the current national data specification before go-live"
)
CODES = [
    # code, label, group, review after months
    ("110", "At school in the area", "below_leaving_age", 12),
    ("120", "Educated at home", "below_leaving_age", 12),
    ("130", "In custody", "below_leaving_age", 6),
    ("140", "Not registered at a school", "below_leaving_age", 1),
    ("150", "Not known", "below_leaving_age", 1),
    ("210", "School sixth form", "education", 6),
    ("220", "Sixth-form college", "education", 6),
    ("230", "Further education", "education", 6),
    ("240", "Higher education", "education", 12),
    ("250", "Part-time education", "education", 3),
    ("260", "Gap year", "education", 6),
    ("270", "Other full-time education", "education", 6),
    ("280", "Special post-16 institution", "education", 6),
    ("290", "Custodial institution (education)", "education", 6),
    ("310", "Apprenticeship", "employment", 6),
    ("320", "Full-time work with study", "employment", 6),
    ("330", "Work without training", "employment", 3),
    ("340", "Work with other training", "employment", 6),
    ("350", "Temporary work", "employment", 3),
    ("360", "Part-time work", "employment", 3),
    ("380", "Self-employed", "employment", 6),
    ("381", "Self-employed with study", "employment", 6),
    ("410", "Funded work-based learning", "training", 6),
    ("430", "Other training", "training", 3),
    ("440", "DWP programme", "training", 3),
    ("450", "Traineeship", "training", 3),
    ("460", "Supported internship", "training", 6),
    ("530", "Re-engagement provision", "re_engagement", 3),
    ("540", "Working not for reward", "neet", 2),
    ("550", "Working not for reward with part-time study", "neet", 2),
    ("610", "Not ready for work or learning", "neet", 1),
    ("615", "Start date agreed (a place that counts as participation)", "neet", 1),
    ("616", "Start date agreed (other)", "neet", 1),
    ("619", "Seeking work or learning", "neet", 1),
    ("620", "Young carer", "neet", 2),
    ("630", "Teenage parent", "neet", 2),
    ("640", "Illness", "neet", 2),
    ("650", "Pregnancy", "neet", 2),
    ("660", "Religious grounds", "neet", 2),
    ("670", "Unlikely ever to be economically active", "neet", 6),
    ("680", "Other reason (not in education, employment or training)", "neet", 1),
    ("710", "Custody (young adult)", "other", 6),
    ("720", "Refugee or asylum seeker", "other", 3),
    ("810", "Not known", "not_known", 1),
    ("820", "Cannot be contacted", "not_known", 1),
    ("830", "Refused to disclose activity", "not_known", 1),
]
CODES_FROM = datetime.date(2013, 9, 1)  # the raising of the participation age (Education and Skills Act 2008)
DEFAULTS_FROM = datetime.date(2000, 1, 1)


def load(apps, schema_editor):
    ActivityCode = apps.get_model("sharing", "ActivityCode")
    for code, label, group, months in CODES:
        ActivityCode.objects.update_or_create(
            code=code,
            effective_from=CODES_FROM,
            defaults={"label": label, "group": group, "review_after_months": months, "specification": SPECIFICATION},
        )
    apps.get_model("sharing", "DisclosureControlPolicy").objects.get_or_create(
        version=1,
        defaults={
            "effective_from": DEFAULTS_FROM,
            "suppress_from": 1,
            "suppress_to": 9,
            "round_to": 5,
            "min_denominator": 10,
            "secondary_suppression": True,
            "reason_for_change": "Default from domain-rules §9 at installation.",
        },
    )
    apps.get_model("sharing", "ReturnFilePolicy").objects.get_or_create(
        version=1,
        defaults={
            "effective_from": DEFAULTS_FROM,
            "keep_days": 30,
            "reason_for_change": "Default at installation: as long as a subject access download package.",
        },
    )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_case_referral_restrict'),
        ('sharing', '0002_registries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ActivityCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=3, validators=[django.core.validators.RegexValidator('^\\d{3}$', 'Use three digits.')])),
                ('label', models.CharField(max_length=200)),
                ('group', models.CharField(choices=[('below_leaving_age', 'Below school-leaving age'), ('education', 'Education'), ('employment', 'Employment'), ('training', 'Training'), ('re_engagement', 'Re-engagement'), ('neet', 'Not in education, employment or training (NEET)'), ('other', 'Other'), ('not_known', 'Not known')], max_length=20)),
                ('review_after_months', models.PositiveSmallIntegerField(default=6, help_text='The review date offered when this activity is confirmed.')),
                ('specification', models.CharField(help_text='The national data specification this code comes from.', max_length=200)),
                ('effective_from', models.DateField()),
                ('effective_to', models.DateField(blank=True, help_text='Empty while still in force.', null=True)),
            ],
            options={
                'ordering': ['code', '-effective_from'],
                'constraints': [models.UniqueConstraint(fields=('code', 'effective_from'), name='one_activity_code_per_start'), models.CheckConstraint(condition=models.Q(('effective_to__isnull', True), ('effective_to__gte', models.F('effective_from')), _connector='OR'), name='activity_code_ends_after_it_starts')],
            },
        ),
        migrations.CreateModel(
            name='ActivityRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('confirmed_on', models.DateField(verbose_name='Date confirmed')),
                ('review_on', models.DateField(help_text='Confirm the activity again by this date.', verbose_name='Review date')),
                ('source', models.CharField(choices=[('young_person', 'The young person'), ('parent', 'A parent or carer'), ('school_or_college', 'School, college or training provider'), ('employer', 'Employer'), ('agency', 'Another agency'), ('data_match', 'Data matching (for example enrolment lists)')], max_length=20, verbose_name='Confirmed by')),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('code', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sharing.activitycode')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participation_activities', to='cases.person')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'participation activity',
                'ordering': ['person', '-confirmed_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ContactAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('on', models.DateField(verbose_name='Date of the attempt')),
                ('method', models.CharField(choices=[('phone', 'Phone call'), ('text', 'Text message'), ('email', 'Email'), ('letter', 'Letter'), ('visit', 'Home visit'), ('provider', 'Through a school, college or provider'), ('agency', 'Through another agency')], max_length=20)),
                ('result', models.CharField(choices=[('confirmed', 'Activity confirmed'), ('no_reply', 'No reply'), ('message_left', 'Message left'), ('wrong_details', 'Contact details wrong'), ('moved_away', 'Moved out of the area'), ('refused', 'Refused to say')], max_length=20)),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participation_contacts', to='cases.person')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'participation contact attempt',
                'ordering': ['person', '-on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='DisclosureControlPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(unique=True)),
                ('effective_from', models.DateField()),
                ('suppress_from', models.PositiveSmallIntegerField(default=1, help_text='The smallest count shown as c (zero is always shown as 0).')),
                ('suppress_to', models.PositiveSmallIntegerField(default=9, help_text='The largest count shown as c.')),
                ('round_to', models.PositiveSmallIntegerField(default=5, help_text='Other counts are rounded to the nearest multiple of this.')),
                ('min_denominator', models.PositiveSmallIntegerField(default=10, help_text='No percentage is shown when the number it is out of is below this.')),
                ('secondary_suppression', models.BooleanField(default=True, help_text='Suppress further cells so that a suppressed one cannot be worked out from the totals.')),
                ('reason_for_change', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'disclosure control policy',
                'verbose_name_plural': 'disclosure control policies',
                'ordering': ['-effective_from', '-version'],
                'permissions': [('view_statistics', 'Can see group-level statistics (never an identifiable record)')],
            },
        ),
        migrations.CreateModel(
            name='FollowUpTask',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due_on', models.DateField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('done_on', models.DateField(blank=True, null=True)),
                ('activity', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='follow_up', to='sharing.activityrecord')),
                ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participation_tasks', to='cases.person')),
            ],
            options={
                'verbose_name': 'participation follow-up task',
                'ordering': ['due_on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalResearchProject',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('reference', models.CharField(db_index=True, max_length=50)),
                ('title', models.CharField(max_length=200)),
                ('description', models.TextField(blank=True)),
                ('starts_on', models.DateField()),
                ('ends_on', models.DateField()),
                ('destruction_confirmation_due_on', models.DateField(help_text='The recipient confirms destruction of the data by this date.')),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('agreement', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sharing.datasharingagreement')),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('recipient', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sharing.organisation')),
            ],
            options={
                'verbose_name': 'historical research project',
                'verbose_name_plural': 'historical research projects',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ResearchProject',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.CharField(max_length=50, unique=True)),
                ('title', models.CharField(max_length=200)),
                ('description', models.TextField(blank=True)),
                ('starts_on', models.DateField()),
                ('ends_on', models.DateField()),
                ('destruction_confirmation_due_on', models.DateField(help_text='The recipient confirms destruction of the data by this date.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('agreement', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sharing.datasharingagreement')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='research_projects', to='sharing.organisation')),
            ],
            options={
                'ordering': ['-starts_on', 'reference'],
            },
        ),
        migrations.CreateModel(
            name='ReturnFilePolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(unique=True)),
                ('effective_from', models.DateField()),
                ('keep_days', models.PositiveSmallIntegerField(help_text='Days after the run that its file is kept.')),
                ('reason_for_change', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'return file policies',
                'ordering': ['-effective_from', '-version'],
            },
        ),
        migrations.CreateModel(
            name='ReturnRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('participation_monthly', 'Participation of young people: monthly extract'), ('september_guarantee', 'Participation of young people: September Guarantee'), ('activity_survey', 'Participation of young people: activity survey at 1 November'), ('programme_return', 'National programme return'), ('programme_progress', 'National programme: quarterly progress summary'), ('ons_matching', 'ONS research matching extract'), ('anonymised', "Anonymised return to the programme's department")], max_length=30)),
                ('period_start', models.DateField()),
                ('period_end', models.DateField()),
                ('as_at', models.DateField(help_text='The date the figures describe.')),
                ('parameters', models.JSONField(blank=True, default=dict)),
                ('decision_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('run_at', models.DateTimeField(auto_now_add=True)),
                ('checked_on', models.DateField(help_text='The day the sharing check was run: the moment of use.')),
                ('cohort_count', models.PositiveIntegerField(default=0)),
                ('included_count', models.PositiveIntegerField(default=0)),
                ('excluded_count', models.PositiveIntegerField(default=0)),
                ('row_count', models.PositiveIntegerField(default=0)),
                ('warnings', models.JSONField(blank=True, default=list)),
                ('file', models.FileField(blank=True, upload_to=sharing.returns.models.return_file_upload_to)),
                ('file_name', models.CharField(max_length=200)),
                ('file_sha256', models.CharField(max_length=64, verbose_name='File SHA-256 checksum')),
                ('file_size', models.PositiveIntegerField(default=0)),
                ('file_expires_on', models.DateField(blank=True, help_text='Empty: kept until destruction.', null=True)),
                ('file_destroyed_at', models.DateTimeField(blank=True, null=True)),
                ('pseudonym_key_sha256', models.CharField(blank=True, max_length=64)),
                ('agreement', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='return_runs', to='sharing.datasharingagreement')),
                ('disclosure_control', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sharing.disclosurecontrolpolicy')),
                ('purpose', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sharing.sharingpurpose')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='return_runs', to='sharing.organisation')),
                ('research_project', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='runs', to='sharing.researchproject')),
                ('run_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('supersedes', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='superseded_by', to='sharing.returnrun')),
            ],
            options={
                'verbose_name': 'return run',
                'ordering': ['-run_at', '-pk'],
                'permissions': [('download_return_file', 'Can download a return file again')],
            },
        ),
        migrations.CreateModel(
            name='SeptemberGuaranteeOffer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('academic_year', models.PositiveSmallIntegerField(help_text='The year the academic year starts in: 2026 for 2026/27.')),
                ('year_group', models.PositiveSmallIntegerField(help_text='The year the young person left: 11 or 12.')),
                ('offer', models.CharField(choices=[('full_time_education', 'Offer made: full-time education'), ('apprenticeship', 'Offer made: apprenticeship'), ('employment_with_training', 'Offer made: employment with training'), ('training', 'Offer made: traineeship, supported internship or other training'), ('no_offer', 'No offer made'), ('not_appropriate', 'Offer not appropriate (for example moved away or in custody)'), ('not_known', 'Not known')], max_length=30)),
                ('recorded_on', models.DateField()),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='september_offers', to='cases.person')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'September Guarantee offer',
                'ordering': ['person', '-academic_year', '-recorded_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='TransferRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('method', models.CharField(choices=[('secure_email', 'Secure email (for example NHSmail, CJSM or a gov.uk secure domain)'), ('secure_portal', 'Secure file transfer portal'), ('encrypted_file', 'Encrypted file, password sent separately'), ('system', 'System-to-system transfer'), ('phone', 'Phone (verbal)'), ('meeting', 'In a meeting (for example a strategy or team-around-the-family meeting)'), ('recorded_post', 'Recorded delivery post'), ('by_hand', 'By hand')], max_length=20)),
                ('file_sha256', models.CharField(max_length=64, verbose_name='File SHA-256 checksum')),
                ('row_count', models.PositiveIntegerField()),
                ('sent_on', models.DateField(blank=True, null=True)),
                ('destruction_confirmation_due_on', models.DateField(blank=True, null=True)),
                ('destruction_confirmed_on', models.DateField(blank=True, null=True)),
                ('destruction_evidence', models.CharField(blank=True, help_text="For example the recipient's certificate reference.", max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('agreement', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sharing.datasharingagreement')),
                ('destruction_confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sharing.organisation')),
                ('research_project', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='transfers', to='sharing.researchproject')),
                ('run', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='transfer', to='sharing.returnrun')),
                ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.AddIndex(
            model_name='activityrecord',
            index=models.Index(fields=['person', 'confirmed_on'], name='activity_person_confirmed'),
        ),
        migrations.AddConstraint(
            model_name='activityrecord',
            constraint=models.CheckConstraint(condition=models.Q(('review_on__gt', models.F('confirmed_on'))), name='activity_review_after_confirmed'),
        ),
        migrations.AddConstraint(
            model_name='disclosurecontrolpolicy',
            constraint=models.CheckConstraint(condition=models.Q(('suppress_from__gte', 1)), name='zero_is_never_suppressed'),
        ),
        migrations.AddConstraint(
            model_name='disclosurecontrolpolicy',
            constraint=models.CheckConstraint(condition=models.Q(('suppress_to__gte', models.F('suppress_from'))), name='suppression_range_in_order'),
        ),
        migrations.AddConstraint(
            model_name='disclosurecontrolpolicy',
            constraint=models.CheckConstraint(condition=models.Q(('round_to__gte', 1)), name='rounding_base_at_least_one'),
        ),
        migrations.AddConstraint(
            model_name='followuptask',
            constraint=models.UniqueConstraint(condition=models.Q(('activity__isnull', True), ('done_on__isnull', True)), fields=('person',), name='one_open_task_per_unconfirmed_person'),
        ),
        migrations.AddConstraint(
            model_name='followuptask',
            constraint=models.CheckConstraint(condition=models.Q(('done_on__isnull', True), ('done_by__isnull', False), _connector='OR'), name='follow_up_done_by_someone'),
        ),
        migrations.AddConstraint(
            model_name='researchproject',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='research_project_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='researchproject',
            constraint=models.CheckConstraint(condition=models.Q(('destruction_confirmation_due_on__gte', models.F('ends_on'))), name='research_destruction_after_end'),
        ),
        migrations.AddConstraint(
            model_name='returnfilepolicy',
            constraint=models.CheckConstraint(condition=models.Q(('keep_days__gte', 1)), name='return_file_kept_a_day'),
        ),
        migrations.AddIndex(
            model_name='returnrun',
            index=models.Index(fields=['kind', 'period_start', 'period_end'], name='return_run_period'),
        ),
        migrations.AddConstraint(
            model_name='returnrun',
            constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='return_period_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='septemberguaranteeoffer',
            constraint=models.CheckConstraint(condition=models.Q(('year_group__in', [11, 12])), name='offer_for_year_11_or_12'),
        ),
        migrations.AddConstraint(
            model_name='transferrecord',
            constraint=models.CheckConstraint(condition=models.Q(('sent_on__isnull', True), ('sent_by__isnull', False), _connector='OR'), name='transfer_sent_by_someone'),
        ),
        migrations.AddConstraint(
            model_name='transferrecord',
            constraint=models.CheckConstraint(condition=models.Q(('destruction_confirmed_on__isnull', True), models.Q(('destruction_confirmed_by__isnull', False), ('sent_on__isnull', False)), _connector='OR'), name='destruction_confirmed_after_sending'),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
