from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class FundConfig(appconfig.MinefreeApp):
    """The Cooperation and Assistance Fund: its money, calls, applications, grants and the
    exchange visits they pay for."""

    name = "minefree.fund"
    verbose_name = _("Cooperation and Assistance Fund")

    def connect(self) -> None:
        """A visit report's lessons become practices and passages of the knowledge base once
        the report has committed; the committee's workspace lists the open follow-up
        actions of the fund's visits."""
        from minefree.cooperation.signals import workspace_sections
        from minefree.core import hooks
        from minefree.fund import lessons, signals, workspace

        hooks.register(signals.VISIT_REPORTED, "fund.lessons", lessons.lessons_to_knowledge)
        workspace_sections.connect(
            workspace.follow_ups_section, dispatch_uid="fund.workspace_follow_ups"
        )
