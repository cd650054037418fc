"""The admin shows staff only the members they may see.

Supervisors are staff (they use the admin for a few case fields), and Django's model
permissions are per model, not per row: without this, the admin's case list would show
every organization's members. At startup every registered ModelAdmin whose model leads
to a member (found the way ``history.member_paths`` finds them) gets its queryset and its
object permissions limited to ``member_list_visible_to(user)``; superusers are unaffected.
Object-level checks matter because simple_history's history pages load rows without the
queryset.
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
        model_admin._member_scoped = True
        limited.append(model._meta.label)
    return limited
