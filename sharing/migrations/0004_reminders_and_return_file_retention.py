"""Sharing reminders (agreements due for review or ending, referrals not answered), and return files'
keeping period moved to the retention policy ``return_file``: a period the DPO had changed from the
default 30 days is carried over as a new version of that policy before the old table goes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def carry_over_return_file_period(apps, schema_editor):
    old = apps.get_model("sharing", "ReturnFilePolicy").objects.order_by("-effective_from", "-version").first()
    if old is None or old.keep_days == 30:
        return
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    latest = RetentionPolicy.objects.filter(record_kind="return_file").order_by("-version").first()
    RetentionPolicy.objects.create(
        record_kind="return_file",
        version=(latest.version + 1) if latest else 1,
        effective_from=old.effective_from,
        trigger="record_created",
        period_days=old.keep_days,
        reason_for_change=f"Carried over from the return file policy v{old.version}. {old.reason_for_change}".strip(),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('sharing', '0003_returns'),
        ('retention', '0005_return_file_policy'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SharingReminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('agreement_review', 'Agreement due for review'), ('agreement_end', 'Agreement ending'), ('referral_no_response', 'Referral not answered')], max_length=30)),
                ('due_on', models.DateField(help_text='The date the reminder is about (review, end, or answer due).')),
                ('message', models.CharField(max_length=300)),
                ('created_on', models.DateField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('closed_on', models.DateField(blank=True, null=True)),
                ('agreement', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='sharing.datasharingagreement')),
                ('assigned_to', models.ForeignKey(blank=True, help_text="Blank for the DPO's team.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('referral', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='sharing.partnerreferral')),
            ],
            options={
                'verbose_name': 'sharing reminder',
                'ordering': ['due_on', 'pk'],
            },
        ),
        migrations.RunPython(carry_over_return_file_period, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='ReturnFilePolicy',
        ),
        migrations.AddIndex(
            model_name='sharingreminder',
            index=models.Index(fields=['closed_on', 'assigned_to'], name='sharing_reminder_open'),
        ),
        migrations.AddConstraint(
            model_name='sharingreminder',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('agreement__isnull', False), ('referral__isnull', True)), models.Q(('agreement__isnull', True), ('referral__isnull', False)), _connector='OR'), name='sharing_reminder_is_about_one_thing'),
        ),
        migrations.AddConstraint(
            model_name='sharingreminder',
            constraint=models.UniqueConstraint(condition=models.Q(('agreement__isnull', False)), fields=('kind', 'agreement', 'due_on'), name='one_agreement_reminder_per_date'),
        ),
        migrations.AddConstraint(
            model_name='sharingreminder',
            constraint=models.UniqueConstraint(condition=models.Q(('referral__isnull', False)), fields=('kind', 'referral', 'due_on'), name='one_referral_reminder_per_date'),
        ),
    ]
