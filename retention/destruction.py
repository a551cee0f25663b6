"""Which rows destroying families removes, and removing them (SPEC §2.4, §7).

Read from the declarations in `retention.coverage`, never from a hand-kept list:

1. rows reachable from the families alone (live rows *and* history rows, so a row
   deleted years ago whose history still names a family is found too);
2. the families' people: everyone those rows name, less anyone a row outside the
   batch still needs (a membership or consent record in another family, or any
   row that protects the person from deletion);
3. everything reachable from the families and those people.

The plan covers a batch of families (the sweep destroys 100 at a time), each
planned row carrying the family it goes with, so one set of DELETEs serves the
batch while every family keeps its own counts and register entry.

Deleting then removes, in this order: the history rows (django-simple-history
keeps them apart from their rows and nothing cascades into them), the rows that
point at destroyed rows by content type or label (console log, generic grants,
access log), and the live rows (dependants first) — set-based SQL, one DELETE
per table, without Django's collector or signals (so no "deleted" history rows
are written only to be deleted again). Files named by destroyed rows are
deleted from storage when the transaction commits.

The caller holds the transaction; nothing here commits.
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from retention.coverage import FAMILY, PERSON, Rule, all_models, declaration_for, history_of, label

logger = logging.getLogger(__name__)

# Ids per IN (...) list: SQLite caps the parameters of a statement, PostgreSQL takes long lists.
CHUNK = 500
CHUNK_POSTGRESQL = 5000
# Parameters in one statement of `_delete_generic` (SQLite allows 32,766).
STATEMENT_PARAMETERS = 30_000


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
    # (model, field, target): relations into destroyed models that are not a `via` link of the model, so
    # a row the plan does not hold may point at a planned row (checked before the set-based DELETEs).
    dependents: tuple[tuple[type[models.Model], str, type[models.Model]], ...] = ()


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
    dependents = tuple(
        (f.model, f.name, f.related_model)
        for model in all_models()
        if history_of(model) is None
        for f in model._meta.fields
        if f.is_relation
        and f.related_model in nodes
        and f.remote_field.on_delete is not models.DO_NOTHING
        and not (model in nodes and f.name in {link.field for link in nodes[model].links})
    )
    return Schema(
        dependents=dependents,
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


def _chunks(values: Iterable, size: int | None = None) -> Iterator[list]:
    size = size or _chunk_size()
    values = sorted(values, reverse=True)  # newest first: a correction goes before what it corrects
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _chunk_size() -> int:
    # PostgreSQL takes long lists in one statement; SQLite caps the parameters of a statement.
    return CHUNK_POSTGRESQL if connection.vendor == "postgresql" else CHUNK


# --- Planning: which rows go, and with which family ---


@dataclass
class Plan:
    """What destroying a batch of families removes; built by `plan_families`, carried out by `carry_out`.

    `owner` maps each model to the rows that go, each with the family it is destroyed
    with (a row reached from two families of the batch counts for the first), so one
    set of DELETEs serves the batch while each family keeps its own register entry.
    """

    family_ids: list[int]
    owner: dict[type[models.Model], dict] = field(default_factory=dict)
    # Candidates kept because a retained row still needs them, each with the family that named them.
    kept: dict[int, int] = field(default_factory=dict)

    @property
    def family_id(self) -> int:
        return self.family_ids[0]

    @property
    def ids(self) -> dict[type[models.Model], set]:
        return {model: set(rows) for model, rows in self.owner.items()}

    @property
    def person_ids(self) -> set[int]:
        return set(self.owner.get(schema().person, {}))

    @property
    def people_kept(self) -> set[int]:
        return set(self.kept)

    def people_of(self, family_id: int) -> set[int]:
        return {pk for pk, owner in self.owner.get(schema().person, {}).items() if owner == family_id}

    def kept_of(self, family_id: int) -> set[int]:
        return {pk for pk, owner in self.kept.items() if owner == family_id}

    def planned_counts(self, family_id: int | None = None) -> dict[str, int]:
        """Live rows per model (history rows are counted when they are deleted), for one family or all."""
        counts = {
            label(model): sum(1 for owner in rows.values() if family_id is None or owner == family_id)
            for model, rows in self.owner.items()
        }
        return {name: count for name, count in counts.items() if count}

    def without(self, family_ids: Iterable[int]) -> list[int]:
        dropped = set(family_ids)
        return [pk for pk in self.family_ids if pk not in dropped]


def _reach(s: Schema, roots: dict[type, dict]) -> dict[type, dict]:
    """Every row reachable from the roots through the declared links, each with its family."""
    owner: dict[type, dict] = {model: dict(rows) for model, rows in roots.items()}
    for node in s.nodes:
        if node.model in roots:
            continue
        found: dict = {}
        for link in node.links:
            targets = owner.get(link.target)
            if not targets:
                continue
            for table in (node.model, *node.history):
                for chunk in _chunks(targets):
                    rows = table._base_manager.filter(**{f"{link.field}__in": chunk}).values_list(
                        node.pk_name, link.field
                    )
                    for pk, target in rows:
                        found.setdefault(pk, targets[target])
        owner[node.model] = found
    return owner


def plan_families(family_ids: Iterable[int]) -> Plan:
    """Every row destroying the families removes, and which of their people go and which stay.

    A person goes when no row outside the batch still needs them: a person in two
    families of the same batch goes with the batch.
    """
    s = schema()
    family_ids = list(dict.fromkeys(family_ids))
    families = {pk: pk for pk in family_ids}
    first = _reach(s, {s.family: families})
    candidates: dict[int, int] = {}
    for node in s.nodes:
        rows = first.get(node.model)
        if not rows:
            continue
        for link in node.person_links():
            for table in (node.model, *node.history):
                for chunk in _chunks(rows):
                    found = table._base_manager.filter(**{f"{node.pk_name}__in": chunk}).values_list(
                        node.pk_name, link.field
                    )
                    for pk, person in found:
                        if person is not None:
                            candidates.setdefault(person, rows[pk])

    kept: set[int] = set()
    if candidates:
        keepers = [
            (node.model, link.field)
            for node in s.nodes
            # A row keeps a person only as part of another family's records (a membership, a
            # consent record, a note): a row about the person alone (an opt-out) goes with them.
            if node.keeps_people and node.model in s.family_owned
            for link in node.person_links()
        ]
        for model, name in [*keepers, *s.protecting]:
            planned = first.get(model, {})
            for chunk in _chunks(candidates):
                found = model._base_manager.filter(**{f"{name}__in": chunk}).values_list(
                    model._meta.pk.attname, name
                )
                kept.update(person for pk, person in found if pk not in planned)
    people = {pk: family for pk, family in candidates.items() if pk not in kept}
    owner = _reach(s, {s.family: families, s.person: people})
    return Plan(
        family_ids=family_ids,
        owner=owner,
        kept={pk: family for pk, family in candidates.items() if pk in kept},
    )


def plan_family(family_id: int) -> Plan:
    """Every row destroying one family removes (see `plan_families`)."""
    return plan_families([family_id])


def _delete_order(plan: Plan) -> list[type[models.Model]]:
    """Planned models, each before any model it points at (so PROTECT and RESTRICT never bite)."""
    planned = [model for model, ids in plan.owner.items() if ids]
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


# --- Carrying it out ---


class NeedsOneAtATimeError(Exception):
    """A row outside the plan points at a planned row: the batch is destroyed family by family,
    through Django's collector, which applies each relation's on_delete."""


@dataclass
class Result:
    """Rows deleted per model and files removed, per family of the plan."""

    row_counts: dict[int, Counter]
    files: dict[int, set[tuple[object, str]]]

    def counts_for(self, family_id: int) -> Counter:
        return +self.row_counts.get(family_id, Counter())

    def files_for(self, family_id: int) -> set[tuple[object, str]]:
        return self.files.get(family_id, set())


def carry_out(plan: Plan) -> Result:
    """Delete everything in `plan`. Call inside a transaction; files go from storage on commit.

    Set-based: one DELETE per table (and per chunk of ids) for the whole batch, without
    Django's collector or signals, so no throw-away "deleted" history rows are written.
    When a row outside the plan points at a planned row (a declaration that missed a
    relation), a batch raises NeedsOneAtATimeError and a single family falls back to the
    collector for that model, which applies the relation's on_delete.
    """
    s = schema()
    nodes = {node.model: node for node in s.nodes}
    counts: dict[int, Counter] = defaultdict(Counter)
    collected = _unplanned_dependents(plan, s)
    if collected and len(plan.family_ids) > 1:
        raise NeedsOneAtATimeError(", ".join(sorted(label(m) for m in collected)))
    files = _files(plan, nodes)

    _delete_history(plan, nodes, counts)
    _delete_generic(plan, s, counts)
    for model in _delete_order(plan):
        rows = plan.owner[model]
        if model in collected:
            family = plan.family_id
            for chunk in _chunks(rows):
                _, per_model = model._base_manager.filter(pk__in=chunk).delete()
                counts[family].update(per_model)
            continue
        for pk in _delete_returning(model, model._meta.pk.attname, rows, model._meta.pk.attname):
            counts[rows[pk]][label(model)] += 1
    if collected:
        # Deleting through the collector made django-simple-history write "deleted" rows: they go too.
        _delete_history(plan, nodes, defaultdict(Counter))

    all_files = set().union(*files.values()) if files else set()
    if all_files:
        transaction.on_commit(lambda: _delete_files(all_files))
    return Result(row_counts=dict(counts), files=files)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _delete_returning(table: type[models.Model], where: str, values: Iterable, returning: str) -> list:
    """DELETE rows of `table` whose field `where` is in `values`; the `returning` column of each row gone."""
    where_field, returning_field = table._meta.get_field(where), table._meta.get_field(returning)
    gone: list = []
    with connection.cursor() as cursor:
        for chunk in _chunks(values):
            params = [where_field.get_db_prep_value(value, connection) for value in chunk]
            cursor.execute(
                f"DELETE FROM {_quote(table._meta.db_table)} "  # noqa: S608 - names from the models
                f"WHERE {_quote(where_field.column)} IN ({', '.join(['%s'] * len(params))}) "
                f"RETURNING {_quote(returning_field.column)}",
                params,
            )
            gone += [row[0] for row in cursor.fetchall()]
    return gone


def _unplanned_dependents(plan: Plan, s: Schema) -> set[type[models.Model]]:
    """Planned models that a row outside the plan points at (by a relation with an on_delete to apply)."""
    found: set[type] = set()
    for model, name, target in s.dependents:
        targets = plan.owner.get(target)
        if not targets or target in found:
            continue
        planned = plan.owner.get(model, {})
        pk_name = model._meta.pk.attname
        for chunk in _chunks(targets):
            rows = model._base_manager.filter(**{f"{name}__in": chunk}).values_list(pk_name, flat=True)
            if any(pk not in planned for pk in rows):
                found.add(target)
                break
    return found


def _files(plan: Plan, nodes: dict[type, Node]) -> dict[int, set[tuple[object, str]]]:
    files: dict[int, set] = defaultdict(set)
    for model, rows in plan.owner.items():
        node = nodes.get(model)
        if node is None or not node.file_fields or not rows:
            continue
        for table in (model, *node.history):
            for name in node.file_fields:
                storage = model._meta.get_field(name).storage
                for chunk in _chunks(rows):
                    values = table._base_manager.filter(**{f"{node.pk_name}__in": chunk}).values_list(
                        node.pk_name, name
                    )
                    for pk, value in values:
                        if value:
                            files[rows[pk]].add((storage, value))
    return dict(files)


def _delete_files(files: set[tuple[object, str]]) -> None:
    for storage, name in sorted(files, key=lambda item: item[1]):
        try:
            storage.delete(name)
        except Exception:
            # The rows are gone; a file left behind is found by its name in the log (random, no
            # personal data) and removed by hand (docs/operations.md).
            logger.exception("retention: could not delete file %s from storage", name)
            raise


def _delete_history(plan: Plan, nodes: dict[type, Node], counts: dict[int, Counter]) -> None:
    # Many-to-many history rows hanging off a destroyed parent history row, before the parent goes.
    for table, parents in _m2m_history_parents(nodes, plan):
        for history_id in _delete_returning(table, "history", parents, "history"):
            counts[parents[history_id]][label(table)] += 1
    for model, rows in plan.owner.items():
        node = nodes.get(model)
        if node is None or not rows:
            continue
        for table in node.history:
            for pk in _delete_returning(table, node.pk_name, rows, node.pk_name):
                counts[rows[pk]][label(table)] += 1


def _m2m_history_parents(nodes: dict[type, Node], plan: Plan) -> list[tuple[type, dict]]:
    """(m2m history table, {history id of a parent row: family}) for parents being destroyed.

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
            rows = plan.owner.get(tracked)
            if not rows:
                continue
            pk_name = nodes[tracked].pk_name
            parents: dict = {}
            for chunk in _chunks(rows):
                for history_id, pk in parent_history._base_manager.filter(
                    **{f"{pk_name}__in": chunk}
                ).values_list("history_id", pk_name):
                    parents[history_id] = rows[pk]
            if parents:
                found.append((table, parents))
    return found


def _delete_generic(plan: Plan, s: Schema, counts: dict[int, Counter]) -> None:
    """Rows that point at destroyed rows by (content type or label, id): one pass over each table.

    Each table is read once for the whole batch (the access log has no index on
    its generic reference), with every destroyed model's ids in the one statement.
    """
    # Generic references point at models with a content type: not at auto-created link tables.
    by_model = {model: rows for model, rows in plan.owner.items() if rows and not model._meta.auto_created}
    if not by_model:
        return
    content_types = ContentType.objects.get_for_models(*by_model, for_concrete_models=False)
    for generic in s.generics:
        type_field = generic.model._meta.get_field(generic.type_field)
        id_field = generic.model._meta.get_field(generic.id_field)
        owners: dict[tuple, int] = {}
        conditions: list[tuple[object, list[str]]] = []
        for model, rows in by_model.items():
            kind = model._meta.label_lower if generic.by_label else content_types[model].pk
            for chunk in _chunks(rows):
                conditions.append((kind, [str(pk) for pk in chunk]))
                owners.update({(kind, str(pk)): rows[pk] for pk in chunk})
        table = generic.model._meta.db_table
        type_column, id_column = _quote(type_field.column), _quote(id_field.column)
        with connection.cursor() as cursor:
            for group in _statement_groups(conditions):
                sql = " OR ".join(
                    f"({type_column} = %s AND {id_column} IN ({', '.join(['%s'] * len(ids))}))"
                    for _, ids in group
                )
                params = [value for kind, ids in group for value in (kind, *ids)]
                cursor.execute(
                    f"DELETE FROM {_quote(table)} WHERE {sql} "  # noqa: S608 - names from the models
                    f"RETURNING {type_column}, {id_column}",
                    params,
                )
                for kind, object_id in cursor.fetchall():
                    family = owners.get((kind, str(object_id)))
                    if family is None:  # a label stored in another case; the batch's first family
                        family = plan.family_id
                    counts[family][label(generic.model)] += 1


def _statement_groups(conditions: list[tuple[object, list]]) -> Iterator[list[tuple[object, list]]]:
    """The conditions, a statement's worth at a time (SQLite allows 32,766 parameters)."""
    group: list = []
    size = 0
    for condition in conditions:
        if group and size + len(condition[1]) + 1 > STATEMENT_PARAMETERS:
            yield group
            group, size = [], 0
        group.append(condition)
        size += len(condition[1]) + 1
    if group:
        yield group
