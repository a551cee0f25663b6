"""Team membership is mirrored in the team's permission group (see Team)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from fss.core.models import TeamMembership


@receiver(post_save, sender=TeamMembership, dispatch_uid="fss.core.join_team_group")
def join_team_group(sender, instance: TeamMembership, raw=False, **kwargs):
    if not raw:
        instance.user.groups.add(instance.team.group)


@receiver(post_delete, sender=TeamMembership, dispatch_uid="fss.core.leave_team_group")
def leave_team_group(sender, instance: TeamMembership, **kwargs):
    instance.user.groups.remove(instance.team.group)
