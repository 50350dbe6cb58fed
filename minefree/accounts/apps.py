from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "minefree.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from minefree.accounts import rules, selectors
        from minefree.core import permissions

        permissions.install_staff_check(selectors.is_staff_member)
        permissions.register(rules.RULES)
