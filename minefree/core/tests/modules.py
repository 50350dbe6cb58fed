"""Import every module of minefree, so registries filled at import (services, workflows)
are complete before a meta-test reads them."""

from __future__ import annotations

import importlib
import pkgutil

import minefree


def import_every_module() -> None:
    for info in pkgutil.walk_packages(minefree.__path__, "minefree."):
        parts = info.name.split(".")
        # ``__main__`` runs the command line, ``wsgi`` warms a server up: neither is imported
        if not {"tests", "migrations", "management"} & set(parts) and parts[-1] not in {
            "wsgi",
            "__main__",
        }:
            importlib.import_module(info.name)
