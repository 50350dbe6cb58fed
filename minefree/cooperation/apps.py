from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class CooperationConfig(appconfig.MinefreeApp):
    """The committee's pages, API and workspace, composed from assistance, casework and funding."""

    name = "minefree.cooperation"
    verbose_name = _("Cooperation and assistance")
