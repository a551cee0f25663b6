"""Which rows destroying a family removes, and removing them (SPEC §2.4, §7).

Read from the declarations in `retention.coverage`, never from a hand-kept list:

1. rows reachable from the family alone (live rows *and* history rows, so a row
   deleted years ago whose history still names the family is found too);
2. the family's people: everyone those rows name, less anyone a retained row
   still needs (a membership or consent record in another family, or any row
   that protects the person from deletion);
3. everything reachable from the family and those people.

Deleting then removes, in this order: the history rows (django-simple-history
keeps them apart from their rows and nothing cascades into them), the rows that
point at destroyed rows by content type or label (console log, generic grants,
access log), the live rows (dependants first), and finally the history rows
that deleting just wrote. Files named by destroyed rows are deleted from
storage when the transaction commits.

The caller holds the transaction; nothing here commits.
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q

from retention.coverage import FAMILY, PERSON, Rule, all_models, declaration_for, history_of, label

logger = logging.getLogger(__name__)

CHUNK = 500


@dataclass(frozen=True)
class Link:
    field: str
    target: type[models.Model]


@dataclass(frozen=True)
class Node:
    """A live model destroyed with the family, the fields that lead to it, and its history tables."""

    model: type[models.Model]
    links: tuple[Link, ...]
    history: tuple[type[models.Model], ...]
    keeps_people: bool
    file_fields: tuple[str, ...]

    @property
    def pk_name(self) -> str:
        return self.model._meta.pk.attname

    def person_links(self) -> list[Link]:
        return [link for link in self.links if label(link.target) == PERSON]


@dataclass(frozen=True)
class Generic:
    model: type[models.Model]
    type_field: str
    id_field: str
    by_label: bool


@dataclass(frozen=True)
class Schema:
    nodes: tuple[Node, ...]  # targets before the models that point at them
    generics: tuple[Generic, ...]
    family: type[models.Model]
    person: type[models.Model]
    # Models whose rows protect a person from deletion (PROTECT or RESTRICT to Person).
    protecting: tuple[tuple[type[models.Model], str], ...]
    # Models whose rows belong to a family (their `via` fields lead to it other than through a person).
    family_owned: frozenset[type[models.Model]]


@cache
def schema() -> Schema:
    """The destruction graph, built once per process from the declarations."""
    histories: dict[type, list[type]] = defaultdict(list)
    for model in all_models():
        tracked = history_of(model)
        if tracked is not None:
            histories[tracked].append(model)

    nodes: dict[type, Node] = {}
    generics: list[Generic] = []
    for model in all_models():
        if history_of(model) is not None:
            continue
        declaration = declaration_for(model)
        if declaration.rule != Rule.FAMILY:
            continue
        for ref in declaration.generic:
            generics.append(Generic(model, ref.type_field, ref.id_field, ref.by_label))
        if declaration.generic and not declaration.via:
            continue
        nodes[model] = Node(
            model=model,
            links=tuple(
                Link(name, _model_for(target))
                for name, target in declaration.via.items()
                if target != label(model)
            ),
            history=tuple(histories.get(model, ())),
            keeps_people=declaration.keeps_people,
            file_fields=tuple(f.name for f in model._meta.fields if isinstance(f, models.FileField)),
        )

    family, person = _model_for(FAMILY), _model_for(PERSON)
    protecting = tuple(
        (f.model, f.name)
        for model in all_models()
        if history_of(model) is None
        for f in model._meta.fields
        if f.is_relation
        and f.related_model is person
        and f.remote_field.on_delete in (models.PROTECT, models.RESTRICT)
    )
    ordered = _targets_first(nodes)
    family_owned = {family}
    for node in ordered:
        if any(link.target in family_owned for link in node.links):
            family_owned.add(node.model)
    return Schema(
        nodes=tuple(ordered),
        family_owned=frozenset(family_owned),
        generics=tuple(generics),
        family=family,
        person=person,
        protecting=protecting,
    )


def _model_for(name: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(name)


def _targets_first(nodes: dict[type, Node]) -> list[Node]:
    ordered: list[Node] = []
    done: set[type] = set()

    def visit(node: Node, path: tuple = ()):
        if node.model in done:
            return
        if node.model in path:
            raise ValueError(f"retention.coverage: a cycle of 'via' fields through {label(node.model)}")
        for link in node.links:
            if link.target in nodes:
                visit(nodes[link.target], (*path, node.model))
        done.add(node.model)
        ordered.append(node)

    for node in sorted(nodes.values(), key=lambda n: label(n.model)):
        visit(node)
    return ordered


def _chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = sorted(values, reverse=True)  # newest first: a correction goes before what it corrects
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _rows_linked(table, conditions: list[tuple[str, set]], column: str) -> set:
    """Values of `column` in `table` for rows whose link fields point at any of the given ids."""
    found: set = set()
    for name, ids in conditions:
        for chunk in _chunks(ids):
            found.update(table._base_manager.filter(**{f"{name}__in": chunk}).values_list(column, flat=True))
    return found


@dataclass
class Plan:
    """What destroying one family removes; built by `plan_family`, carried out by `carry_out`."""

    family_id: int
    person_ids: set[int]
    people_kept: set[int]
    ids: dict[type[models.Model], set] = field(default_factory=dict)

    def planned_counts(self) -> dict[str, int]:
        """Live rows per model (history rows are counted when they are deleted)."""
        return {label(model): len(ids) for model, ids in self.ids.items() if ids}


def _reach(schema: Schema, roots: dict[type, set]) -> dict[type, set]:
    ids: dict[type, set] = {model: set(values) for model, values in roots.items()}
    for node in schema.nodes:
        if node.model in roots:
            continue
        conditions = [(link.field, ids[link.target]) for link in node.links if ids.get(link.target)]
        found: set = set()
        if conditions:
            for table in (node.model, *node.history):
                found |= _rows_linked(table, conditions, node.pk_name)
        ids[node.model] = found
    return ids


def plan_family(family_id: int) -> Plan:
    """Every row destroying the family removes, and which of its people go and which stay."""
    s = schema()
    first = _reach(s, {s.family: {family_id}})
    candidates: set[int] = set()
    for node in s.nodes:
        rows = first.get(node.model)
        if not rows:
            continue
        for link in node.person_links():
            for table in (node.model, *node.history):
                candidates |= _rows_linked(table, [(node.pk_name, rows)], link.field)
    candidates.discard(None)

    kept: set[int] = set()
    if candidates:
        for node in s.nodes:
            # A row keeps a person only as part of another family's records (a membership, a
            # consent record, a note): a row about the person alone (an opt-out) goes with them.
            if not node.keeps_people or node.model not in s.family_owned:
                continue
            for link in node.person_links():
                kept |= set(
                    node.model._base_manager.filter(**{f"{link.field}__in": candidates})
                    .exclude(**{f"{node.pk_name}__in": first.get(node.model, set())})
                    .values_list(link.field, flat=True)
                )
        for model, name in s.protecting:
            planned = first.get(model, set())
            kept |= set(
                model._base_manager.filter(**{f"{name}__in": candidates})
                .exclude(pk__in=planned)
                .values_list(name, flat=True)
            )
    people = candidates - kept
    ids = _reach(s, {s.family: {family_id}, s.person: people})
    return Plan(family_id=family_id, person_ids=people, people_kept=candidates & kept, ids=ids)


def _delete_order(plan: Plan) -> list[type[models.Model]]:
    """Planned models, each before any model it points at (so PROTECT and RESTRICT never bite)."""
    planned = [model for model, ids in plan.ids.items() if ids]
    points_at = {
        model: {
            f.related_model
            for f in model._meta.fields
            if f.is_relation and f.related_model in planned and f.related_model is not model
        }
        for model in planned
    }
    ordered: list[type] = []
    remaining = set(planned)
    while remaining:
        # Ready: nothing still to delete points at it.
        ready = sorted(
            (m for m in remaining if not any(m in points_at[other] for other in remaining if other is not m)),
            key=label,
        )
        if not ready:  # a cycle: the database's own cascade order decides
            ready = sorted(remaining, key=label)
        ordered += ready
        remaining -= set(ready)
    return ordered


@dataclass
class Result:
    row_counts: Counter
    files: set[tuple[object, str]]


def carry_out(plan: Plan) -> Result:
    """Delete everything in `plan`. Call inside a transaction; files go from storage on commit."""
    s = schema()
    nodes = {node.model: node for node in s.nodes}
    counts: Counter = Counter()
    files = _files(plan, nodes)

    _delete_history(plan, nodes, counts)
    _delete_generic(plan, s, counts)
    for model in _delete_order(plan):
        for chunk in _chunks(plan.ids[model]):
            _, per_model = model._base_manager.filter(pk__in=chunk).delete()
            counts.update(per_model)
    # Deleting rows made django-simple-history write "deleted" history rows: they go too.
    _delete_history(plan, nodes, Counter())

    if files:
        transaction.on_commit(lambda: _delete_files(files))
    return Result(row_counts=+counts, files=files)


def _files(plan: Plan, nodes: dict[type, Node]) -> set[tuple[object, str]]:
    files: set[tuple[object, str]] = set()
    for model, ids in plan.ids.items():
        node = nodes.get(model)
        if node is None or not node.file_fields or not ids:
            continue
        for table in (model, *node.history):
            for name in node.file_fields:
                storage = model._meta.get_field(name).storage
                for chunk in _chunks(ids):
                    for value in table._base_manager.filter(**{f"{node.pk_name}__in": chunk}).values_list(
                        name, flat=True
                    ):
                        if value:
                            files.add((storage, value))
    return files


def _delete_files(files: set[tuple[object, str]]) -> None:
    for storage, name in sorted(files, key=lambda item: item[1]):
        try:
            storage.delete(name)
        except Exception:
            # The rows are gone; a file left behind is found by its name in the log (random, no
            # personal data) and removed by hand (docs/operations.md).
            logger.exception("retention: could not delete file %s from storage", name)
            raise


def _delete_history(plan: Plan, nodes: dict[type, Node], counts: Counter) -> None:
    # Many-to-many history rows hanging off a destroyed parent history row, before the parent goes.
    for table, parent_ids in _m2m_history_parents(nodes, plan):
        for chunk in _chunks(parent_ids):
            deleted, _ = table._base_manager.filter(history__in=chunk).delete()
            if deleted:
                counts[label(table)] += deleted
    for model, ids in plan.ids.items():
        node = nodes.get(model)
        if node is None or not ids:
            continue
        for table in node.history:
            for chunk in _chunks(ids):
                deleted, _ = table._base_manager.filter(**{f"{node.pk_name}__in": chunk}).delete()
                if deleted:
                    counts[label(table)] += deleted


def _m2m_history_parents(nodes: dict[type, Node], plan: Plan) -> list[tuple[type, set]]:
    """(m2m history table, history ids of its parent rows) for parents being destroyed.

    Most such rows are found by their own link fields too; this catches one that
    outlived the link row it copied.
    """
    found = []
    for node in nodes.values():
        for table in node.history:
            if "m2m_history_id" not in {f.name for f in table._meta.fields}:
                continue
            parent_history = table._meta.get_field("history").related_model
            tracked = history_of(parent_history)
            ids = plan.ids.get(tracked)
            if ids:
                history_ids = _rows_linked(parent_history, [(nodes[tracked].pk_name, ids)], "history_id")
                if history_ids:
                    found.append((table, history_ids))
    return found


def _delete_generic(plan: Plan, s: Schema, counts: Counter) -> None:
    # Generic references point at models with a content type: not at auto-created link tables.
    by_model = {model: ids for model, ids in plan.ids.items() if ids and not model._meta.auto_created}
    if not by_model:
        return
    content_types = ContentType.objects.get_for_models(*by_model, for_concrete_models=False)
    for generic in s.generics:
        conditions = []
        for model, ids in by_model.items():
            kind = model._meta.label_lower if generic.by_label else content_types[model].pk
            for chunk in _chunks(ids):
                conditions.append(
                    Q(**{generic.type_field: kind, f"{generic.id_field}__in": [str(pk) for pk in chunk]})
                )
        deleted, per_model = generic.model._base_manager.filter(reduce(or_, conditions)).delete()
        counts.update(per_model)
