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


NAVIGATION = [
    NavItem("Home", "home", lambda user: True),
    NavItem("DPO console", "admin:index", _any_role(roles.DPO)),
    NavItem("Administration", "admin:index", _any_role(roles.SYSTEM_ADMINISTRATOR)),
]


def navigation_for(user, current_path: str) -> list[dict]:
    """The links `user` may follow, each once, with the current page marked."""
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
        current = current_path == href if href == "/" else current_path.startswith(href)
        items.append({"label": item.label, "href": href, "current": current})
    return items
