from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "minefree.reminders"
    label = "reminders"
    verbose_name = _("Article 7 reminders")

    def ready(self) -> None:
        from minefree.core import permissions
        from minefree.reminders import rules

        permissions.register(rules.RULES)
