"""Move every encrypted value onto the current FIELD_ENCRYPTION_KEY key (docs/operations.md, "Keys").

Fields are found by walking the app registry for EncryptedField columns, so a new
model, and the historical copy django-simple-history makes of it, is covered
without being listed here. Values already under the current key are left alone, so
a second run changes nothing. Rows are rewritten with UPDATE, which neither touches
other columns nor adds history rows.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q, TextField, Value
from django.db.models.functions import Cast

from fss.core.fields import EncryptedField, FieldDecryptionError, opens_with_current_key, reencrypt


def models_with_encrypted_fields():
    """(model, [encrypted fields stored in its own table]) for every installed model that has any."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:  # a proxy shares its concrete model's table
            continue
        fields = [field for field in model._meta.local_concrete_fields if isinstance(field, EncryptedField)]
        if fields:
            found.append((model, fields))
    return found


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field of every model with the current (first) FIELD_ENCRYPTION_KEY "
        "key, in batches, each in its own transaction. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be re-encrypted and what no configured key opens; change nothing.",
        )
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (500).")

    def handle(self, *, dry_run, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        targets = models_with_encrypted_fields()
        totals = {"rows": 0, "reencrypted": 0, "current": 0, "unreadable": 0}
        for model, fields in targets:
            counts = self._rotate_model(model, fields, batch_size=batch_size, dry_run=dry_run)
            for name in totals:
                totals[name] += counts[name]

        field_count = sum(len(fields) for _, fields in targets)
        scope = f"{field_count} encrypted field(s) in {len(targets)} model(s), {totals['rows']} row(s)"
        if dry_run:
            self.stdout.write(
                f"Dry run, nothing changed. {scope}: {totals['reencrypted']} value(s) to re-encrypt, "
                f"{totals['current']} already on the current key, {totals['unreadable']} that no "
                f"configured key opens."
            )
            if totals["unreadable"]:
                raise CommandError(
                    f"{totals['unreadable']} value(s) cannot be read with the configured keys: put the "
                    f"missing key back in FIELD_ENCRYPTION_KEY before rotating or removing any key."
                )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Done. {scope}: {totals['reencrypted']} value(s) re-encrypted, "
                    f"{totals['current']} already on the current key."
                )
            )

    def _rotate_model(self, model, fields, *, batch_size, dry_run):
        label = model._meta.label
        queryset = model._base_manager.using(DEFAULT_DB_ALIAS)
        any_value = Q()
        for field in fields:
            any_value |= Q(**{f"{field.attname}__isnull": False})
        queryset = queryset.filter(any_value).order_by("pk")
        total = queryset.count()
        counts = {"rows": 0, "reencrypted": 0, "current": 0, "unreadable": 0}
        self.stdout.write(f"{label} ({', '.join(field.name for field in fields)}): {total} row(s)")

        last_pk = None
        while True:
            with transaction.atomic(using=DEFAULT_DB_ALIAS):
                batch = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
                if not dry_run:
                    # A user's edit between our read and our write would otherwise be lost.
                    batch = batch.select_for_update()
                # Cast to plain text: the stored token, not the value from_db_value would decrypt.
                raw = [Cast(field.attname, output_field=TextField()) for field in fields]
                rows = list(batch.values_list("pk", *raw)[:batch_size])
                if not rows:
                    break
                for pk, *tokens in rows:
                    changes = self._rotate_row(label, pk, fields, tokens, counts, dry_run=dry_run)
                    if changes and not dry_run:
                        model._base_manager.using(DEFAULT_DB_ALIAS).filter(pk=pk).update(**changes)
            last_pk = rows[-1][0]
            counts["rows"] += len(rows)
            self.stdout.write(
                f"  {label}: {counts['rows']}/{total} row(s), "
                f"{counts['reencrypted']} value(s) {'to re-encrypt' if dry_run else 're-encrypted'}"
            )
        return counts

    def _rotate_row(self, label, pk, fields, tokens, counts, *, dry_run):
        changes = {}
        for field, token in zip(fields, tokens, strict=True):
            if token is None:
                continue
            if opens_with_current_key(token):
                counts["current"] += 1
                continue
            try:
                new_token = reencrypt(token)
            except FieldDecryptionError:
                if dry_run:
                    counts["unreadable"] += 1
                    self.stderr.write(f"  {label} pk={pk} {field.name}: no configured key opens it")
                    continue
                # Raised inside the batch's transaction, so this batch is rolled back whole;
                # earlier batches are already on the current key and stay so.
                raise CommandError(
                    f"{label} pk={pk} {field.name}: no configured FIELD_ENCRYPTION_KEY key opens it. "
                    f"This batch was rolled back; put the missing key back and run the command again."
                ) from None
            counts["reencrypted"] += 1
            # A Value with a plain text output field is written as it is, not encrypted again.
            changes[field.attname] = Value(new_token, output_field=TextField())
        return changes
