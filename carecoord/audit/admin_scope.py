"""The admin shows staff only the members they may see.

Supervisors are staff (they use the admin for a few case fields), and Django's model
permissions are per model, not per row: without this, the admin's case list would show
every organization's members. At startup every registered ModelAdmin whose model leads
to a member (found the way ``history.member_paths`` finds them) gets its queryset and its
object permissions limited to ``member_list_visible_to(user)``; superusers are unaffected.
Object-level checks matter because simple_history's history pages load rows without the
queryset. The change page and the list are also recorded in the access audit.
"""
from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q

from .history import member_paths


def _visible_q(user, paths) -> Q:
    from cases.selectors import member_list_visible_to

    visible = member_list_visible_to(user=user).values("pk")
    return reduce(or_, [Q(**{f"{path}__in" if path else "pk__in": visible}) for path in paths])


def _scoped_queryset(model_admin, paths):
    original = model_admin.get_queryset

    def get_queryset(request):
        queryset = original(request)
        if request.user.is_superuser:
            return queryset
        model = queryset.model
        return queryset.filter(pk__in=model._default_manager.filter(_visible_q(request.user, paths)).values("pk"))

    return get_queryset


def _scoped_permission(original, model, paths):
    def has_permission(request, obj=None):
        if obj is not None and not request.user.is_superuser:
            if not model._default_manager.filter(_visible_q(request.user, paths), pk=obj.pk).exists():
                return False
        return original(request, obj)

    return has_permission


def _member_ids(model, paths, pks) -> list[int]:
    if paths == [""]:
        return [int(pk) for pk in pks]
    ids: set[int] = set()
    for path in paths:
        ids.update(model._default_manager.filter(pk__in=pks).exclude(**{f"{path}__isnull": True})
                   .values_list(f"{path}__pk", flat=True))
    return sorted(ids)


def _audited_change_view(original, model, paths):
    def change_view(request, object_id, *args, **kwargs):
        response = original(request, object_id, *args, **kwargs)
        if response.status_code == 200:
            from .access import record_access

            try:
                pks = [model._meta.pk.to_python(object_id)]
            except Exception:
                return response
            record_access(request, members=_member_ids(model, paths, pks), action="view",
                          records=[(model._meta.label_lower, pk) for pk in pks], detail={"admin": True})
        return response

    return change_view


def _audited_changelist_view(original, model, paths):
    def changelist_view(request, *args, **kwargs):
        response = original(request, *args, **kwargs)
        changelist = getattr(response, "context_data", {}) or {}
        changelist = changelist.get("cl")
        if response.status_code == 200 and changelist is not None:
            from .access import record_access

            pks = [obj.pk for obj in changelist.result_list]
            members = _member_ids(model, paths, pks)
            if members:
                record_access(request, members=members, action="list", detail={"admin": True})
        return response

    return changelist_view


def scope_admin_site(site) -> list[str]:
    """Limit every member-related ModelAdmin of ``site``; returns the models limited."""
    limited = []
    for model, model_admin in site._registry.items():
        paths = member_paths(model)
        if not paths or getattr(model_admin, "_member_scoped", False):
            continue
        model_admin.get_queryset = _scoped_queryset(model_admin, paths)
        for name in ("has_view_permission", "has_change_permission", "has_delete_permission"):
            setattr(model_admin, name, _scoped_permission(getattr(model_admin, name), model, paths))
        # Reads in the admin are audited like any page: the object shown, the rows listed.
        model_admin.change_view = _audited_change_view(model_admin.change_view, model, paths)
        model_admin.changelist_view = _audited_changelist_view(model_admin.changelist_view, model, paths)
        model_admin._member_scoped = True
        limited.append(model._meta.label)
    return limited
