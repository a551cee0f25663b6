"""manage.py retention_register_export PATH: copy the destruction register out of the database.

The register holds no personal data (a keyed hash, dates and counts), so the
copy can be kept with the backups' records, off the database server: after a
restore, `retention_replay --register PATH` re-applies entries made after the
backup was taken.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from retention.selectors import register_export


class Command(BaseCommand):
    help = "Write the destruction register (no personal data) to a JSON file, or '-' for standard output."

    def add_arguments(self, parser):
        parser.add_argument("path", help="file to write, or - for standard output")

    def handle(self, *args, path: str, **options):
        text = json.dumps({"entries": register_export()}, indent=1, sort_keys=True)
        if path == "-":
            self.stdout.write(text)
            return
        Path(path).write_text(text)
        self.stderr.write(f"Wrote {text.count('surrogate_id')} register entries to {path}")
