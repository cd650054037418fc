"""Per-member change history: every django-simple-history row of every model that belongs
to a member (the member, contacts, coverage, cases, care team, and whatever other apps
hang off a member or a case), as field diffs: who changed which field from what to what.

Models are found, not listed: any model with ``history = HistoricalRecords()`` whose
foreign keys lead to ``cases.Member`` within three hops (e.g. goal → care plan → case →
member) is included, so a new app's models appear without editing this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import models
from simple_history.models import registered_models

from .access import PART2_DATA_CATEGORIES, PART2_PROGRAM

MAX_HOPS = 3
# Relations that lead away from the member's record rather than towards it.
NOT_THROUGH = {"accounts", "auth", "contenttypes", "guardian", "admin", "sessions", "clocks", "audit"}
# Bookkeeping fields that change on every write and say nothing to a reviewer.
QUIET_FIELDS = {"version", "last_activity_at"}

KIND_LABELS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class FieldChange:
    field: str
    old: object
    new: object


@dataclass
class Change:
    at: datetime
    user_id: int | None
    user: str
    model: str
    model_label: str
    object_id: object
    kind: str
    changes: list[FieldChange] = field(default_factory=list)
    part2: bool = False
    reason: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def member_paths(model) -> list[str]:
    """Lookups from ``model`` to ``cases.Member`` (``""`` for the member itself)."""
    member_model = apps.get_model("cases", "Member")
    if model is member_model:
        return [""]
    paths, frontier = [], [(model, "")]
    for _hop in range(MAX_HOPS):
        next_frontier = []
        for current, prefix in frontier:
            for fk in current._meta.get_fields():
                if not (fk.is_relation and fk.many_to_one or fk.one_to_one) or not fk.concrete:
                    continue
                target = fk.related_model
                lookup = f"{prefix}{fk.name}"
                if target is member_model:
                    paths.append(lookup)
                elif target._meta.app_label not in NOT_THROUGH and target is not current:
                    next_frontier.append((target, f"{lookup}__"))
        frontier = next_frontier
    return paths


def member_history_models() -> list[tuple[type[models.Model], list[str]]]:
    found = []
    for model in registered_models.values():
        paths = member_paths(model)
        if paths:
            found.append((model, paths))
    return sorted(found, key=lambda item: item[0]._meta.label)


def _display(model, name: str, value):
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return value
    if model_field.choices and value not in (None, ""):
        return dict(model_field.flatchoices).get(value, value)
    return value


def _verbose(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def member_change_history(*, member, start: datetime | None = None, end: datetime | None = None) -> list[Change]:
    """Every change to the member's records between ``start`` and ``end``, newest first."""
    part2_cases = set(
        apps.get_model("cases", "Case").objects.filter(member=member, program=PART2_PROGRAM).values_list("pk", flat=True)
    )
    changes: list[Change] = []
    for model, paths in member_history_models():
        history = model.history.model
        condition = reduce(or_, [models.Q(**{(f"{p}__pk" if p else "id"): member.pk}) for p in paths])
        if paths == [""]:
            condition = models.Q(id=member.pk)
        rows = history.objects.filter(condition)
        if len(paths) > 1:
            rows = rows.distinct()
        if end is not None:
            rows = rows.filter(history_date__lte=end)
        rows = rows.select_related("history_user").order_by("id", "history_date", "history_id")
        previous_by_object: dict = {}
        attnames = [(f.name, f.attname) for f in model._meta.concrete_fields if f.name not in QUIET_FIELDS]
        for row in rows:
            previous = previous_by_object.get(row.id)
            previous_by_object[row.id] = row
            if start is not None and row.history_date < start:
                continue
            diffs = []
            if row.history_type == "~" and previous is not None:
                diffs = [FieldChange(_verbose(model, name), _display(model, name, old), _display(model, name, new))
                         for name, old, new in _field_changes(previous, row, attnames)]
                if not diffs:
                    continue
            elif row.history_type == "+":
                diffs = [FieldChange(_verbose(model, name), None, _display(model, name, getattr(row, attname, None)))
                         for name, attname in attnames
                         if name != "id" and getattr(row, attname, None) not in (None, "", [], {})]
            user = row.history_user
            changes.append(Change(
                at=row.history_date, user_id=row.history_user_id,
                user=str(user) if user else "",
                model=str(model._meta.verbose_name), model_label=model._meta.label_lower, object_id=row.id,
                kind=row.history_type, changes=diffs, part2=_is_part2(model, row, part2_cases),
                reason=row.history_change_reason or "",
            ))
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


def _field_changes(old_row, new_row, attnames):
    """(field name, old, new) for every field that differs; foreign keys as ids."""
    for name, attname in attnames:
        old, new = getattr(old_row, attname, None), getattr(new_row, attname, None)
        if old != new:
            yield name, old, new


def _is_part2(model, row, part2_cases: set) -> bool:
    if model._meta.label_lower == "cases.case":
        return getattr(row, "program", "") == PART2_PROGRAM
    if getattr(row, "case_id", None) in part2_cases:
        return True
    if getattr(row, "data_category", "") in PART2_DATA_CATEGORIES:
        return True
    return getattr(row, "program", "") == PART2_PROGRAM


def models_without_history(app_labels) -> list[str]:
    """Concrete models of ``app_labels`` that keep no change history."""
    tracked = {m._meta.label for m in registered_models.values()}
    missing = []
    for label in app_labels:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label not in tracked and not model.__name__.startswith("Historical"):
                missing.append(model._meta.label)
    return sorted(missing)
