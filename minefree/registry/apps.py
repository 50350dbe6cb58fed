from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "minefree.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from minefree.core import permissions
        from minefree.registry import rules

        permissions.register(rules.RULES)
