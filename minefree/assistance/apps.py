from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class AssistanceConfig(appconfig.MinefreeApp):
    name = "minefree.assistance"
    verbose_name = _("Needs and offers of assistance")
