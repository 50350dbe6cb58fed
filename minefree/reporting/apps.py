from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class ReportingConfig(appconfig.MinefreeApp):
    name = "minefree.reporting"
    verbose_name = _("Article 7 reporting")
