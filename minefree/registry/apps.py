from django.utils.translation import gettext_lazy as _

from minefree.core import appconfig


class RegistryConfig(appconfig.MinefreeApp):
    name = "minefree.registry"
    verbose_name = _("Registry")

    def connect(self) -> None:
        """The registry records the extensions granted in clearance (after their decision)."""
        from minefree.core import hooks
        from minefree.registry import events, services

        hooks.register(events.EXTENSION_DECIDED, "registry.extension", services.extension_record)
