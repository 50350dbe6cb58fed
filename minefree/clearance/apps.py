from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class ClearanceConfig(appconfig.MinefreeApp):
    """Article 5 extension requests and their analysis."""

    name = "minefree.clearance"
    verbose_name = _("Article 5 extension requests")

    def connect(self) -> None:
        """A submitted request's international funding sought becomes needs (cooperation
        reads them for matching and coverage) and its sections passages of the knowledge
        base, once the submission has committed."""
        from minefree.clearance import needs, passages, signals
        from minefree.core import hooks

        hooks.register(signals.REQUEST_SUBMITTED, "clearance.needs", needs.needs_from_request)
        hooks.register(
            signals.REQUEST_SUBMITTED, "clearance.passages", passages.passages_from_request
        )
        from minefree.knowledge.signals import passages_rebuild_requested

        passages_rebuild_requested.connect(
            passages.on_passages_rebuild, dispatch_uid="clearance.passages_rebuild"
        )

        from minefree.clearance import reminders
        from minefree.reminders.signals import reminders_run

        reminders_run.connect(reminders.on_reminders_run, dispatch_uid="clearance.requirements")
