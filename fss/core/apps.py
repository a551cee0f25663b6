from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Users, teams, roles, the access log and scheduled-job heartbeats: what every app shares."""

    name = "fss.core"
    label = "core"
    verbose_name = "Staff, teams and access log"

    def ready(self):
        from django.db.models.signals import post_migrate

        from fss.core.roles import sync_role_permissions

        # Later apps add models (and so permissions) after the roles migration ran;
        # re-apply the role → permission table after every migrate.
        post_migrate.connect(sync_role_permissions, dispatch_uid="fss.core.sync_roles")

        from fss.core import signals  # noqa: F401 - team membership keeps team groups in step
