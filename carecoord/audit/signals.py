"""Every login, logout and failed login goes into the access audit trail; every change to who has which
permission makes the cached permission sets stale, and every change to a user or their organization the
cached user."""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from carecoord.accounts.models import Organization

from .access import record_access
from .auth import permissions_changed, user_changed

User = get_user_model()
for change, signal, model in (("saved", post_save, User), ("deleted", post_delete, User), ("saved", post_save, Organization)):
    signal.connect(user_changed, sender=model, dispatch_uid=f"user_changed_{change}_{model._meta.label}")
for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
    m2m_changed.connect(permissions_changed, sender=through, dispatch_uid=f"permissions_changed_{through._meta.label}")
for model in (Group, Permission):
    # A deleted group or permission takes its links with it, without an m2m signal.
    post_delete.connect(permissions_changed, sender=model, dispatch_uid=f"permissions_deleted_{model._meta.label}")
post_save.connect(permissions_changed, sender=Permission, dispatch_uid="permissions_saved")


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs):
    record_access(request, action="login", user=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs):
    record_access(request, action="logout", user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    record_access(request, action="login_failed", username=str(credentials.get("username", ""))[:150])
