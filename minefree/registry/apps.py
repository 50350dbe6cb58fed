from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class RegistryConfig(appconfig.MinefreeApp):
    name = "minefree.registry"
    verbose_name = _("Registry")
