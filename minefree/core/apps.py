from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "minefree.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from minefree.core import permissions, rules

        permissions.register(rules.RULES)
