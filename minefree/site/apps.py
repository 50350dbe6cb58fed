from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class SiteConfig(appconfig.MinefreeApp):
    name = "minefree.site"
    verbose_name = _("Public site")
