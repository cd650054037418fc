from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "carecoord.accounts"
    label = "accounts"
    verbose_name = "Organizations and staff"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import sync_role_groups

        post_migrate.connect(sync_role_groups, sender=self)
