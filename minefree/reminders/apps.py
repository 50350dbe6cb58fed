from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class RemindersConfig(appconfig.MinefreeApp):
    name = "minefree.reminders"
    verbose_name = _("Article 7 reminders")
