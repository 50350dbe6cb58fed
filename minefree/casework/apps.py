from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class CaseworkConfig(appconfig.MinefreeApp):
    name = "minefree.casework"
    verbose_name = _("Individualised approach, platforms and bilateral meetings")

    def connect(self) -> None:
        """Sourced cases load with the reference data (registry may not import casework)."""
        from minefree.casework import reference_cases
        from minefree.registry.signals import reference_loaded

        reference_loaded.connect(
            reference_cases.on_reference_loaded, dispatch_uid="casework.reference_cases"
        )
