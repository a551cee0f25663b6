from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The DPO console's own pages (SPEC §1): the dashboard, charts and access reviews.

    The registers themselves are the admin site's (each app's admin.py); this app
    reads across the other apps through `console.selectors` and writes only its
    own access-review records.
    """

    name = "console"
    verbose_name = "DPO console"
