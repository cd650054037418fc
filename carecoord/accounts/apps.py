from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "carecoord.accounts"
    label = "accounts"
    verbose_name = "Organizations and staff"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import sync_role_groups

        # After every app's migrate, not only this one's: the roles name permissions of apps
        # (cases, clocks, directory) whose permissions are created after accounts migrates.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
