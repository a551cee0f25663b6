"""Walking every URL pattern of the project and filling its arguments from the test world.

Shared by the permission matrix and the default-deny tests.
"""

import dataclasses
from urllib.parse import urlsplit

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Status classes a response falls into.
OK = "ok"  # 200
LOGIN = "login"  # redirected to sign-in
MFA = "mfa"  # redirected to the second factor (enrol or verify)
DENIED = "denied"  # 403, or the admin site refusing a signed-in user
NOT_FOUND = "404"
NOT_ALLOWED = "405"
REDIRECT = "redirect"  # any other redirect (e.g. the admin's object URL to its change page)
LOCKED = "429"


@dataclasses.dataclass(frozen=True)
class Route:
    key: str  # the URL name with namespace, or the route for unnamed patterns
    route: str
    name: str | None
    namespace: str | None
    converters: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.namespace == "admin"


def _converters(pattern) -> tuple[str, ...]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters:
        return tuple(converters)
    regex = pattern.pattern.regex
    return tuple(regex.groupindex) or tuple(f"_{i}" for i in range(regex.groups))


def routes() -> list[Route]:
    """Every URL pattern of the project, admin included, in resolver order."""
    found = []

    def walk(patterns, prefix="", namespace=None, inherited=()):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns, inherited + _converters(entry))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                name = entry.name
                key = f"{namespace}:{name}" if (namespace and name) else (name or route)
                found.append(Route(key, route, name, namespace, inherited + _converters(entry)))

    walk(get_resolver().url_patterns)
    return found


def admin_model_for(route: Route):
    """The model an admin URL belongs to, from its route ("admin/<app>/<model>/..."), or None."""
    parts = route.route.split("/")
    if len(parts) < 3 or parts[0] != "admin":
        return None
    for model in admin.site._registry:
        if model._meta.app_label == parts[1] and model._meta.model_name == parts[2]:
            return model
    return None


# Which admin URL of a model this is, from its name.
ADMIN_KINDS = ("changelist", "add", "history", "delete", "change", "simple_history")


def admin_kind(route: Route) -> str | None:
    model = admin_model_for(route)
    if model is None:
        return None
    prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
    if route.name is None:
        return "object"  # <path:object_id>/ redirects to the change page
    if route.name.startswith(prefix) and route.name[len(prefix) :] in ADMIN_KINDS:
        return route.name[len(prefix) :]
    return None  # a custom admin view: it needs its own entry in the matrix


# URL arguments filled from the world, by argument name; per-URL overrides in the matrix.
def default_arguments(world) -> dict:
    return {
        "pk": world.family.pk,
        "person_pk": world.mother.pk,
        "referral_pk": world.referral.pk,
        "case_pk": world.case.pk,
        "assessment_pk": world.assessment.pk,
        "plan_pk": world.plan.pk,
        "action_pk": world.action.pk,
        "closure_pk": world.closure.pk,
        "disclosure_pk": world.decision.pk,
        "decision_id": world.decision.decision_id,
        "task_pk": world.task.pk,
        "team_pk": world.team.pk,
        "app_label": "core",
        "url": "no-such-page/",
        "content_type_id": ContentType.objects.get_for_model(world.family).pk,
        "object_id": world.family.pk,
        "document_pk": world.document.pk,
        "id": world.people["caseworker"].pk,
        "run_pk": world.return_run.pk,
        "item_pk": world.sar_item.pk,
        "package_pk": world.sar_package.pk,
    }


def url_for(route: Route, world, overrides: dict | None = None) -> str:
    """The path of `route` with its arguments filled from the world."""
    values = default_arguments(world) | (overrides or {})
    kind = admin_kind(route)
    if kind is not None:
        model = admin_model_for(route)
        if kind == "simple_history":
            record = model.history.order_by("-history_id").first()
            assert record is not None, (
                f"The security world has no history of {model._meta.label} (conftest.py)"
            )
            return reverse(f"admin:{route.name}", args=[record.instance.pk, record.history_id])
        obj = model._default_manager.order_by("-pk").first()
        assert obj is not None, (
            f"The security world has no {model._meta.label}: add one to tests/security/conftest.py"
        )
        if kind == "object":
            return f"/{route.route.split('<', 1)[0]}{obj.pk}/"
        if kind in {"changelist", "add"}:
            return reverse(f"admin:{route.name}")
        return reverse(f"admin:{route.name}", args=[obj.pk])
    if route.name is None:
        # An unnamed, non-model pattern: only the admin's catch-all is expected here.
        return "/" + route.route.replace("(?P<url>.*)$", values["url"]).lstrip("^")
    kwargs = {name: values[name] for name in route.converters}
    return reverse(route.key, kwargs=kwargs)


def classify(client, response) -> str:
    """The status class of a response; the admin's own login redirect is followed one hop."""
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        if target == reverse("admin:login"):
            return classify(client, client.get(response["Location"]))
        if target == reverse("login"):
            return LOGIN
        if target in {reverse("security:mfa_enrol"), reverse("security:mfa_verify")}:
            return MFA
        return REDIRECT
    return {200: OK, 403: DENIED, 404: NOT_FOUND, 405: NOT_ALLOWED, 429: LOCKED}.get(status, str(status))
