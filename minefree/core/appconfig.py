"""What every minefree app does at start-up, so an app's ``apps.py`` only names it."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig


class MinefreeApp(AppConfig):
    """An app whose rules table (``<app>/rules.py``, ``RULES``) joins the permission registry.

    Apps that connect hooks or signals override :meth:`connect`; the label is the package's
    last name (``minefree.registry`` → ``registry``). An ``apps.py`` imports this module, not
    the class, so that Django finds a single app config in it.
    """

    def ready(self) -> None:
        from minefree.core import permissions

        if find_spec(f"{self.name}.rules") is not None:
            permissions.register(import_module(f"{self.name}.rules").RULES)
        self.connect()

    def connect(self) -> None:
        """Connect this app's hooks and signals (after its rules are registered)."""
