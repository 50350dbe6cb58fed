from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class IndicatorsConfig(appconfig.MinefreeApp):
    """The action plans' indicators computed from the data minefree holds, and the documents
    the Committee on the Enhancement of Cooperation and Assistance publishes from them."""

    name = "minefree.indicators"
    verbose_name = _("Indicators and the committee's documents")

    def connect(self) -> None:
        """The action plans, their actions and indicators, and the figures sources published
        load with the reference data."""
        from minefree.indicators import plans
        from minefree.registry.signals import reference_loaded

        reference_loaded.connect(plans.on_reference_loaded, dispatch_uid="indicators.plans")
