"""A web process loads what its first requests would otherwise wait for, before it takes
any, and connects to nothing while doing so (gunicorn forks its workers from it)."""

from __future__ import annotations

from minefree.core.tests.probes import run_probe

_PROBE = r"""
import json, sys
before = {"site_views": "minefree.site.views" in sys.modules}
from minefree.wsgi import application
from django.db import connections
from django.utils.translation import trans_real
from django.template import engines
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "before": before,
    "site_views": "minefree.site.views" in sys.modules,
    "api_routes": "minefree.api.api" in sys.modules,
    "languages": sorted(trans_real._translations),
    "templates_compiled": len(getattr(loader, "get_template_cache", {})),
    "connections": [a for a in connections if connections[a].connection is not None],
}))
"""


def test_the_wsgi_module_warms_up_without_connecting(tmp_path):
    seen = run_probe(
        ["-c", _PROBE],
        {
            "MINEFREE_DEBUG": "0",
            "SECRET_KEY": "a-secret-for-this-test-only-" + "x" * 30,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'absent.sqlite3'}",
        },
        timeout=120,
    )
    assert seen["before"] == {"site_views": False}
    assert seen["site_views"] and seen["api_routes"]  # every app's URLs and views imported
    assert {"fr", "es"} <= set(seen["languages"])  # the catalogues loaded
    assert seen["templates_compiled"] > 100  # minefree's templates compiled
    assert seen["connections"] == []  # nothing a forked worker would share
    assert not (tmp_path / "absent.sqlite3").exists()  # not even a file opened
