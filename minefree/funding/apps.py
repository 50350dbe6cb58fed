from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class FundingConfig(appconfig.MinefreeApp):
    name = "minefree.funding"
    verbose_name = _("Funding flows")

    def connect(self) -> None:
        """Follow the lower apps, which may not import funding (layering): a submitted report's
        Form J becomes flows after it commits; Landmine Monitor figures load with the reference
        data."""
        from minefree.core import hooks
        from minefree.funding import flows, support
        from minefree.registry.signals import reference_loaded
        from minefree.reporting.signals import REPORT_VERSIONS_SUBMITTED

        hooks.register(
            REPORT_VERSIONS_SUBMITTED, "funding.form_j_flows", flows.flows_from_report_versions
        )
        reference_loaded.connect(support.on_reference_loaded, dispatch_uid="funding.support")
