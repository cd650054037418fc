"""Roles as Django groups. ``User.role`` drives data visibility (selectors); the group
with the same name carries the Django permissions the role needs in the admin."""
from django.contrib.auth.models import Group, Permission

# Model permissions per role, as "app_label.codename". Visibility of rows is
# decided by selectors, never by these.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "case_manager": [],
    "medical_consultant": [],
    "plan_liaison": [],
    "supervisor": [
        "cases.view_dashboard",
        "cases.reassign_case",
        "cases.view_case",
        "cases.change_case",
        "clocks.view_deadline",
    ],
    "administrator": [
        "accounts.add_organization", "accounts.change_organization", "accounts.view_organization",
        "accounts.add_county", "accounts.change_county", "accounts.view_county",
        "accounts.add_team", "accounts.change_team", "accounts.view_team",
        "accounts.add_user", "accounts.change_user", "accounts.view_user",
        "accounts.add_apitoken", "accounts.change_apitoken", "accounts.view_apitoken",
        "directory.add_providerprofile", "directory.change_providerprofile", "directory.view_providerprofile",
        "directory.add_service", "directory.change_service", "directory.view_service",
        "clocks.add_closureday", "clocks.change_closureday", "clocks.delete_closureday", "clocks.view_closureday",
    ],
}


def sync_role_groups(sender=None, **kwargs) -> None:
    """Create one group per role with its permissions (idempotent; runs after migrate)."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found:  # a permission of an app not migrated yet is added on its own migrate
                wanted.append(found)
        group.permissions.set(wanted)
