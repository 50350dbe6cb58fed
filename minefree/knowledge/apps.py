from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class KnowledgeConfig(appconfig.MinefreeApp):
    """Documents, passages, challenges and practices: the searchable knowledge base."""

    name = "minefree.knowledge"
    verbose_name = _("Knowledge base")

    def connect(self) -> None:
        """A submitted Article 7 report's narratives become passages once it has committed;
        the reference data's documents are loaded with it."""
        from minefree.core import hooks
        from minefree.knowledge import reports
        from minefree.reporting.signals import REPORT_VERSIONS_SUBMITTED

        hooks.register(
            REPORT_VERSIONS_SUBMITTED,
            "knowledge.report_passages",
            reports.passages_from_report_versions,
        )

        from minefree.knowledge import reference_documents
        from minefree.registry.signals import reference_loaded

        reference_loaded.connect(
            reference_documents.on_reference_loaded, dispatch_uid="knowledge.reference_documents"
        )
