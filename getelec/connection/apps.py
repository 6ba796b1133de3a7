from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectionConfig(AppConfig):
    name = "getelec.connection"
    label = "connection"
    verbose_name = _("用电报装")

    def ready(self) -> None:
        # Validate policy data at start-up: a broken file stops the platform with a message
        # naming the file and key.
        from getelec.core.policy import default_policy

        default_policy()
        from getelec.connection import receivers  # noqa: F401
