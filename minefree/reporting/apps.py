from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "minefree.reporting"
    label = "reporting"
    verbose_name = _("Article 7 reporting")

    def ready(self) -> None:
        from minefree.core import permissions
        from minefree.reporting import rules

        permissions.register(rules.RULES)
