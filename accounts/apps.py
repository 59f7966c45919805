from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Inloggen"

    def ready(self) -> None:
        from accounts import receivers  # noqa: F401  (session bookkeeping at login)
