from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class CoreConfig(appconfig.MinefreeApp):
    name = "minefree.core"
    verbose_name = _("Core")
