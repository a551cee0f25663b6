"""Person merges (issue 3, SPEC §4.4 duplicates): the record of two people found to be one.

The merged-away person's rows are moved to the kept person and the merged-away
Person row is deleted; its change history stays (django-simple-history keeps a
"deleted" row with every field), and this record says where it went. The
retention sweep finds the merged-away person through the history rows that
still name them, and through `merged_person_id` here.
"""

from django.conf import settings
from django.db import models

from cases.models.people import Person


class PersonMerge(models.Model):
    """One merge: who was kept, which record id was merged into it, by whom and why."""

    kept_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges")
    # A plain id: the merged-away Person row no longer exists, its history does.
    merged_person_id = models.BigIntegerField(db_index=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    # What moved, as counts per kind of record ({"cases.membership": 1, ...}) and the names
    # of identifier fields filled from the merged-away record: no personal data.
    moved = models.JSONField(default=dict)
    identifiers_filled = models.JSONField(default=list)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = "person merge"
        permissions = [("merge_person", "Can merge two records of the same person")]

    def __str__(self):
        return f"Person {self.merged_person_id} merged into {self.kept_person_id}"
