"""The service navigation: which links each role sees.

One table; an entry appears when the signed-in user passes its test. Apps add
their pages here as they are built.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from fss.core import roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    allowed: Callable[[object], bool]


def _any_role(*names: str) -> Callable[[object], bool]:
    return lambda user: any(user.has_role(name) for name in names)


def _perm(name: str) -> Callable[[object], bool]:
    return lambda user: user.has_perm(name)


NAVIGATION = [
    NavItem("My work", "cases:my_work", _any_role(roles.CASEWORKER, roles.TEAM_MANAGER)),
    NavItem("Find a family", "cases:family_search", _perm("cases.view_family")),
    NavItem("Record a referral", "cases:referral_new", _perm("cases.add_family")),
    NavItem("Approvals", "sharing:approval_queue", _any_role(roles.TEAM_MANAGER)),
    NavItem("Import external data", "cases:import_start", _perm("cases.import_external_data")),
    NavItem("Subject access", "sar:request_list", _any_role(roles.DPO)),
    NavItem("Safeguarding review", "sharing:dpo_review_queue", _any_role(roles.DPO)),
    NavItem("Paper destruction", "retention:paper_tasks", _perm("retention.view_paperdestructiontask")),
    NavItem("Participation", "sharing:participation", _any_role(roles.CASEWORKER, roles.TEAM_MANAGER)),
    NavItem("Returns", "sharing:returns", _any_role(roles.DPO)),
    NavItem("Statistics", "sharing:statistics", _any_role(roles.PERFORMANCE_ANALYST, roles.DPO)),
    NavItem("Home", "home", lambda user: not _any_role(roles.CASEWORKER, roles.TEAM_MANAGER)(user)),
    NavItem("DPO console", "console:dashboard", _any_role(roles.DPO)),
    NavItem("Administration", "admin:index", _any_role(roles.SYSTEM_ADMINISTRATOR)),
]


def navigation_for(user, current_path: str) -> list[dict]:
    """The links `user` may follow, each once; the one whose address best matches the page is current."""
    if not getattr(user, "is_authenticated", False):
        return []
    items, seen = [], set()
    for item in NAVIGATION:
        if not item.allowed(user):
            continue
        href = reverse(item.url_name)
        if href in seen:
            continue
        seen.add(href)
        items.append({"label": item.label, "href": href, "current": False})
    matches = [
        i
        for i in items
        if current_path == i["href"] or (i["href"] != "/" and current_path.startswith(i["href"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["href"]))["current"] = True
    return items
