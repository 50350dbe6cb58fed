from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class CooperationConfig(appconfig.MinefreeApp):
    name = "minefree.cooperation"
    verbose_name = _("Cooperation and assistance")

    def connect(self) -> None:
        """Follow the lower apps, which may not import cooperation (layering)."""
        from minefree.cooperation.casework import reference_cases
        from minefree.cooperation.funding import flows, support
        from minefree.core import hooks
        from minefree.registry.signals import reference_loaded
        from minefree.reporting.signals import REPORT_VERSIONS_SUBMITTED

        hooks.register(
            REPORT_VERSIONS_SUBMITTED, "cooperation.form_j_flows", flows.flows_from_report_versions
        )
        reference_loaded.connect(support.on_reference_loaded, dispatch_uid="cooperation.support")
        reference_loaded.connect(
            reference_cases.on_reference_loaded, dispatch_uid="cooperation.reference_cases"
        )
