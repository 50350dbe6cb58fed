from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class AccountsConfig(appconfig.MinefreeApp):
    name = "minefree.accounts"
    verbose_name = _("Accounts")

    def connect(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from minefree.accounts import selectors, signin
        from minefree.core import permissions

        permissions.install_staff_check(selectors.is_staff_member)
        user_login_failed.connect(signin.count_failure, dispatch_uid="accounts.sign_in_failures")
