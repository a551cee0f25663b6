"""Staff users, teams, the access log and job heartbeats."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from simple_history.models import HistoricalRecords

TEAM_GROUP_PREFIX = "Team: "


class Team(models.Model):
    """A team of caseworkers under a manager; families are held by one team.

    Each team has its own permission group: the team's members are in it, and a
    family held by the team grants that group view/change on the family
    (django-guardian), so team access is an object grant like any other.
    """

    name = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="team"
    )

    history = HistoricalRecords(excluded_fields=["group"])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        group_name = f"{TEAM_GROUP_PREFIX}{self.name}"
        if self.group_id is None:
            self.group, _ = Group.objects.get_or_create(name=group_name)
        elif self.group.name != group_name:
            self.group.name = group_name
            self.group.save(update_fields=["name"])
        super().save(*args, **kwargs)


class User(AbstractUser):
    """A member of staff. Roles are Django groups (see fss.core.roles); teams give family access."""

    teams = models.ManyToManyField(Team, through="TeamMembership", related_name="members", blank=True)

    # Staff details are personal data too: keep who changed them, not secrets.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> set[str]:
        """Names of the roles (groups) this user holds; cached per instance.

        Team groups (see Team) are not roles and are left out.
        """
        if not hasattr(self, "_role_names"):
            self._role_names = set(
                self.groups.exclude(name__startswith=TEAM_GROUP_PREFIX).values_list("name", flat=True)
            )
        return self._role_names

    def has_role(self, role: str) -> bool:
        return self.is_active and role in self.role_names


class TeamMembership(models.Model):
    """A user's place in a team; managers see and allocate the team's caseload."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    is_manager = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team"),
        ]

    def __str__(self):
        return f"{self.user} in {self.team}{' (manager)' if self.is_manager else ''}"


class AccessLogEntry(models.Model):
    """One view, export, print, download or change of a personal record (SPEC §9).

    Holds identifiers, never names: `family_id` lets the retention sweep delete a
    destroyed family's entries (domain-rules §8) and lets the DPO filter by family.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        SEARCH = "search", "Searched"
        CHANGE = "change", "Changed"
        EXPORT = "export", "Exported"
        PRINT = "print", "Printed"
        DOWNLOAD = "download", "Downloaded"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_log_entries"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    # What was accessed: "app_label.model" and its primary key.
    record_type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=64)
    family_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The reason given for break-glass access; empty for access through a grant.
    reason = models.TextField(blank=True)
    is_break_glass = models.BooleanField(default=False, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The URL name (never the full URL or query string), e.g. "cases:family_detail".
    view_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        # The retention sweep deletes a destroyed record's lines by (type, id): docs/performance.md.
        indexes = [models.Index(fields=["record_type", "record_id"], name="access_log_record")]
        permissions = [("review_break_glass", "Can review break-glass access")]

    def __str__(self):
        return f"{self.user} {self.get_action_display().lower()} {self.record_type} {self.record_id}"


class JobHeartbeat(models.Model):
    """When a scheduled job last started and finished, and how it ended (SPEC §7, §10).

    The health endpoint and the DPO dashboard read these to warn when a job has not run.
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    job = models.CharField(max_length=100, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    # A short summary without personal data, e.g. "destroyed 3 families".
    summary = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["job"]

    def __str__(self):
        return f"{self.job}: {self.outcome or 'never run'}"
