"""Writes about staff: creating users in a role, issuing and revoking API tokens."""
from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from carecoord.errors import RuleViolation

from .models import ApiToken, Organization, Team, User


def user_create(
    *,
    username: str,
    role: str,
    organization: Organization | None,
    password: str | None = None,
    team: Team | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    title: str = "",
    is_staff: bool = False,
) -> User:
    if role not in User.Role.values:
        raise RuleViolation(f"Unknown role {role!r}.", field="role", rule="user.role_known")
    if role == User.Role.PLAN_LIAISON and (organization is None or not organization.is_plan):
        raise RuleViolation("An MCP liaison must belong to a managed care plan.", field="organization", rule="user.liaison_plan")
    with transaction.atomic():
        user = User(
            username=username, role=role, organization=organization, team=team, first_name=first_name,
            last_name=last_name, email=email, title=title,
            is_staff=is_staff or role in (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR),
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        user_set_role(user=user, role=role)
    return user


def user_set_role(*, user: User, role: str) -> None:
    """Keep the role field and its group in step (the group carries admin permissions)."""
    with transaction.atomic():
        user.role = role
        user.save(update_fields=["role"])
        user.groups.remove(*Group.objects.filter(name__in=User.Role.values))
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(*, user: User, name: str, issued_by: User | None = None) -> tuple[ApiToken, str]:
    """Issue a token and return it with the raw secret, shown once and never stored."""
    if not user.is_active:
        raise RuleViolation("Tokens are issued to active users only.", field="user", rule="token.active_user")
    raw = "cc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:8], digest=token_digest(raw), created_by=issued_by)
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
