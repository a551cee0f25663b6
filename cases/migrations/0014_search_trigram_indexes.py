"""Trigram index for search by name (SPEC §11; docs/performance.md, "Search").

PostgreSQL only: the pg_trgm extension and a GIN index on `Person.search_name` with the
`gin_trgm_ops` operator class, which answers `cases.selectors.search_families`' word-similarity
condition (`word <% search_name`). On any other database (SQLite in development and tests) both
operations do nothing and the search compares names in Python, as before. The index is not in the
model's `Meta.indexes`, so the model state is unchanged and other databases never see it.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

SEARCH_NAME_TRIGRAMS = GinIndex(
    fields=["search_name"], opclasses=["gin_trgm_ops"], name="cases_person_search_name_trgm"
)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("cases", "Person"), SEARCH_NAME_TRIGRAMS)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("cases", "Person"), SEARCH_NAME_TRIGRAMS)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_encrypt_programme_evidence"),
    ]

    operations = [
        TrigramExtension(),  # CREATE EXTENSION IF NOT EXISTS pg_trgm; nothing on other databases
        migrations.RunPython(add_index, remove_index),
    ]
