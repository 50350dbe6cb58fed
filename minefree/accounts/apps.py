from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class AccountsConfig(appconfig.MinefreeApp):
    name = "minefree.accounts"
    verbose_name = _("Accounts")

    def connect(self) -> None:
        from minefree.accounts import selectors
        from minefree.core import permissions

        permissions.install_staff_check(selectors.is_staff_member)
