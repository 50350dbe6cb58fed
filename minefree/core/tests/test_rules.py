"""Rights in one place: every action has a rule, a test of who may take it, and a service
that asks for it; an action nobody registered is denied."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil

import pytest

import minefree
from minefree.accounts.tests.rules import STAFF, RuleCases, rule_test
from minefree.core.audit import SERVICES, SYSTEM
from minefree.core.permissions import RULES, can
from minefree.core.tests.modules import import_every_module

#: every app with services asks ``core.permissions``
RULED_APPS = {
    "core",
    "registry",
    "accounts",
    "reporting",
    "reminders",
    "assistance",
    "casework",
    "funding",
    "cooperation",
    "clearance",
    "knowledge",
    "fund",
    "indicators",
}
#: services that take no right of their own, and why
NO_RULE = {
    "minefree.core.hooks.follow_up_failed": "records the failure of an effect already allowed",
    "minefree.core.hooks._retry_outcome": "records a retry that follow_up_retry allowed",
    "minefree.core.jobs.worker_beat": "a background worker's heartbeat, no data of anyone's",
    "minefree.core.jobs.worker_gone": "a background worker forgets its own heartbeat",
    "minefree.core.jobs.jobs_recover_abandoned": (
        "requeues a job whose enqueuing service was allowed, after its worker died"
    ),
    "minefree.knowledge.services.passages_replace": (
        "indexes the text of an act its own service allowed (a submission, an upload)"
    ),
}


import_every_module()


def _test_modules():
    for app in pkgutil.iter_modules(minefree.__path__):
        name = f"minefree.{app.name}.tests.test_rules"
        tests = importlib.util.find_spec(f"minefree.{app.name}.tests") if app.ispkg else None
        if tests and importlib.util.find_spec(name):
            yield importlib.import_module(name)


RULE_CASES: RuleCases = {
    "follow_up.retry": (lambda: None, STAFF),
    "job.rerun": (lambda: None, STAFF),
    "database.back_up": (lambda: None, STAFF),
    "database.restore": (lambda: None, STAFF),
}


test_rule = rule_test(RULE_CASES)


def test_every_registered_action_has_an_allow_and_deny_test():
    tested = {action for module in _test_modules() for action in module.RULE_CASES}
    assert set(RULES) - tested == set(), "actions with no test of who may take them"
    assert tested - set(RULES) == set(), "tests of actions no app registers"


def test_an_unknown_action_is_denied_to_everyone_but_the_console(django_user_model):
    user = django_user_model(username="someone", is_superuser=True)
    assert not can(user, "report.launch_missiles")
    assert can(SYSTEM, "report.launch_missiles")


def _calls(tree: ast.AST) -> dict[str, set[str]]:
    """Per function of a module: the names it calls."""
    found: dict[str, set[str]] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            names = found.setdefault(fn.name, set())
            for node in ast.walk(fn):
                if isinstance(node, ast.Call):
                    func = node.func
                    names.add(
                        func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    )
    return found


@functools.cache
def _module(name: str) -> tuple[dict[str, set[str]], dict[str, tuple[str, str]]]:
    """A module's calls per function, and the functions it imports from minefree's
    modules: the name it calls them by -> (the module defining them, their name)."""
    module = importlib.import_module(name)
    imported: dict[str, tuple[str, str]] = {}
    for local, value in vars(module).items():
        func = inspect.unwrap(value) if inspect.isfunction(value) else None
        if func is not None and func.__module__.startswith("minefree.") and func.__module__ != name:
            imported[local] = (func.__module__, func.__name__)
    return _calls(ast.parse(inspect.getsource(module))), imported


def _asks_a_rule(module: str, name: str, seen: frozenset[tuple[str, str]] = frozenset()) -> bool:
    """Whether function ``name`` of ``module`` calls ``require``, itself or through the
    functions it calls: of its own module, or imported from another of minefree's (the
    services of a package share their helpers)."""
    calls, imported = _module(module)
    direct = calls.get(name, set())
    if "require" in direct:
        return True
    seen = seen | {(module, name)}
    callees = [(module, c) if c in calls else imported.get(c) for c in direct]
    return any(_asks_a_rule(*callee, seen) for callee in callees if callee and callee not in seen)


@pytest.mark.parametrize(
    "qualname",
    sorted(n for n in SERVICES if n.split(".")[1] in RULED_APPS and n not in NO_RULE),
)
def test_every_service_asks_a_rule(qualname):
    module = SERVICES[qualname].__module__
    assert _asks_a_rule(module, qualname.rsplit(".", 1)[1]), f"{qualname} never calls require()"


def test_every_service_excused_from_a_rule_exists():
    """An excuse outliving its service would excuse the next one given that name."""
    assert sorted(set(NO_RULE) - set(SERVICES)) == []


def test_every_app_starts_as_a_minefree_app():
    """An app config Django did not pick (two classes in ``apps.py``) would drop its rules."""
    from django.apps import apps

    from minefree.core.appconfig import MinefreeApp

    ours = [c for c in apps.get_app_configs() if c.name.startswith("minefree.")]
    assert ours and all(isinstance(c, MinefreeApp) for c in ours), [
        c.name for c in ours if not isinstance(c, MinefreeApp)
    ]
