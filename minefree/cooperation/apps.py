from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "minefree.cooperation"
    label = "cooperation"
    verbose_name = _("Cooperation and assistance")

    def ready(self) -> None:
        """Listen to the lower apps, which may not import cooperation (layering)."""
        from typing import Any

        from minefree.cooperation import flows, support
        from minefree.registry.signals import reference_loaded
        from minefree.reporting.signals import report_versions_submitted

        def on_versions_submitted(
            sender: Any, *, actor: Any, version_ids: list[int], **_: Any
        ) -> None:
            flows.flows_from_report_versions(actor=actor, version_ids=version_ids)

        self._on_versions_submitted = on_versions_submitted
        report_versions_submitted.connect(
            on_versions_submitted, dispatch_uid="cooperation.form_j_flows"
        )
        reference_loaded.connect(support.on_reference_loaded, dispatch_uid="cooperation.support")
