"""Nothing escapes the allow/deny matrices: a new service, page, form or API operation that
no matrix names fails here, one line each, naming what is missing.

- every ``@service`` asks, itself or through the helpers it calls, a rule that an app's
  ``tests/test_rules.py::RULE_CASES`` tests, or is an internal service (``INTERNAL``);
- every address of the site that accepts POST is in a web write matrix, every page behind
  sign-in in the page matrix, every public page in the list checked for anonymous 200
  (``accounts/tests/test_permissions.py``);
- every API operation that writes is in an ``api_writes.py`` matrix (checked by
  ``api/tests/test_write_matrix.py``), every API read behind sign-in in ``API_READS``.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from minefree.accounts.tests.factories import CAST, make_cast
from minefree.api.api import api
from minefree.core.audit import SERVICES, SYSTEM
from minefree.core.permissions import RULES
from minefree.core.tests.modules import import_every_module
from minefree.core.tests.test_rules import _module, _test_modules

import_every_module()

#: services no caller outside a service reaches, so they ask no right of their own: what
#: calls them did (hook handlers run as the actor whose act emitted the event, loaders as
#: the console)
INTERNAL: dict[str, str] = {
    "minefree.core.hooks.follow_up_failed": "records the failure of an effect already allowed",
    "minefree.core.hooks._retry_outcome": "records a retry that follow_up_retry allowed",
    "minefree.knowledge.services.passages_replace": (
        "indexes the text of an act its own service allowed (a submission, an upload)"
    ),
    "minefree.api.idempotency.api_request_claim": (
        "the idempotency middleware's bookkeeping: claims the key of a request whose own "
        "service then decides"
    ),
    "minefree.api.idempotency.api_answer_keep": "keeps the answer of a request already allowed",
    "minefree.api.idempotency.api_request_release": "gives back the key of a refused request",
    "minefree.core.jobs.worker_beat": "a worker process's own heartbeat, run by the worker",
    "minefree.core.jobs.worker_gone": "a worker process's record of its own end, run by the worker",
    "minefree.core.jobs.jobs_recover_abandoned": (
        "a worker hands back the jobs of a worker that died; each job was allowed when queued"
    ),
}


def _rules_asked(
    module: str, name: str, seen: frozenset[tuple[str, str]] = frozenset()
) -> set[str]:
    """The actions that function ``name`` of ``module`` passes to ``require`` or ``can``,
    itself or through the functions it calls (as ``test_rules._asks_a_rule`` follows them).
    An action passed on in a variable (``_claim_edit(actor, "need.edit", ...)``) is found
    in the caller: every registered action spelled in a function on the way counts."""
    asked, _passed_on = _asked(module, name, seen)
    return asked


def _asked(module: str, name: str, seen: frozenset[tuple[str, str]]) -> tuple[set[str], bool]:
    calls, imported = _module(module)
    found: set[str] = set()
    passed_on = False
    spelled: set[str] = set()
    for node in _function_nodes(module, name):
        spelled |= {
            c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and c.value in RULES
        }
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and _callee(call) in {"require", "can"}:
                action = call.args[1] if len(call.args) > 1 else None
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    found.add(action.value)
                else:
                    passed_on = True
    seen = seen | {(module, name)}
    for called in calls.get(name, set()):
        callee = (module, called) if called in calls else imported.get(called)
        if callee and callee not in seen:
            more, more_passed_on = _asked(*callee, seen)
            found |= more
            passed_on = passed_on or more_passed_on
    if passed_on and spelled:
        return found | spelled, False
    return found, passed_on


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


@functools.cache
def _tree(module: str) -> ast.Module:
    return ast.parse(inspect.getsource(importlib.import_module(module)))


def _function_nodes(module: str, name: str) -> list[ast.FunctionDef]:
    return [n for n in ast.walk(_tree(module)) if isinstance(n, ast.FunctionDef) and n.name == name]


def _tested_actions() -> dict[str, str]:
    """Every action some app's ``RULE_CASES`` tests -> that app."""
    return {
        action: module.__name__.split(".")[1]
        for module in _test_modules()
        for action in module.RULE_CASES
    }


def test_every_service_asks_a_tested_rule_or_is_internal():
    tested = _tested_actions()
    missing = []
    for qualname, wrapper in sorted(SERVICES.items()):
        if qualname in INTERNAL or ".tests." in qualname:  # tests define services of their own
            continue
        asked = _rules_asked(wrapper.__module__, qualname.rsplit(".", 1)[1])
        if not asked:
            missing.append(f"{qualname}: asks no rule (add require() or list it in INTERNAL)")
        elif untested := sorted(asked - set(tested)):
            missing.append(f"{qualname}: asks {untested}, which no RULE_CASES tests")
    assert not missing, "\n" + "\n".join(missing)


def test_the_internal_services_exist():
    assert set(INTERNAL) - set(SERVICES) == set()


# --- the site's addresses ---------------------------------------------------------------

#: addresses that accept POST but change no record of minefree's: Django's own sign-in
#: and sign-out (tested in ``accounts/tests/test_sign_in_limits.py``)
NOT_WRITES: dict[str, str] = {
    "login": "Django's sign-in: starts a session, changes no record",
    "logout": "Django's sign-out: ends a session, changes no record",
}


_ADMIN = (
    "an admin form: accounts/tests/test_permissions.py::test_admin_forms_refuse_everyone_but_"
    "staff sends every admin form as each other role (refused, nothing written) and opens it "
    "as staff; a staff write is a web case only for the actor's change form and the plans' "
    "wording, the others call a service whose rule (registry.edit, membership.grant) "
    "RULE_CASES tests"
)
_UPLOAD = "a workbook upload (needs a valid XLSX); its 403 for others is tested in {}"
#: forms not in a web write matrix yet, and where their refusal is tested meanwhile
WRITES_ELSEWHERE: dict[str, str] = {
    **{
        f"admin:{name}": _ADMIN
        for name in [
            "accounts_membership_add",
            "accounts_membership_change",
            "registry_actor_add",
            "registry_committee_add",
            "registry_committee_change",
            "registry_committeeseat_add",
            "registry_committeeseat_change",
            "registry_deadlineevent_add",
            "registry_deadlineevent_change",
            "registry_meeting_add",
            "registry_meeting_change",
            "registry_obligation_add",
            "registry_obligation_change",
        ]
    },
    "clearance_exchange:upload": _UPLOAD.format("clearance/tests/test_exchange_views.py"),
    "reporting:xlsx_import": _UPLOAD.format("reporting/tests/test_xlsx_views.py"),
    "reporting:batches": _UPLOAD.format("reporting/tests/test_batches.py"),
    "reporting:batch_process": _UPLOAD.format("reporting/tests/test_batches.py"),
    "reporting:remaining_areas_update": (
        "needs two years of Form C; refused to others in reporting/tests/test_remaining_areas.py"
    ),
    "site:job_rerun": (
        "needs a job stored for a worker; every role allowed or refused in "
        "core/tests/test_jobs.py::test_a_failed_job_is_shown_to_isu_staff_and_run_again_by_them"
    ),
}

_RECORD = "a record's page or file: needs the record set up first, not in the page matrix yet"
#: pages not in the page matrix yet (each needs a record of its own set up first)
PAGES_PENDING: dict[str, str] = dict.fromkeys(
    [
        "clearance:analysis_document",
        "clearance:changes",
        "clearance:document",
        "fund:financial_report",
        "fund:visit_report",
        "fund_report:docx",
        "fund_report:pdf",
        "indicators:document_file",
        "knowledge:document",
        "knowledge:document_file",
        "reporting:attachment",
        "reporting:batch",
        "reporting:compare",
        "reporting:document",
    ],
    _RECORD,
)


def _patterns(
    patterns: list[URLPattern | URLResolver] | None = None, namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """Every URL pattern of the site with its view name (``namespace:name``)."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p.url_patterns, inner)
        elif p.name:
            yield f"{namespace}{p.name}", p


def _methods(view: Any) -> set[str] | None:
    """The methods a view is restricted to (``require_GET``, ``require_POST``,
    ``require_http_methods``, through every decorator), or None when it takes any."""
    found: set[str] | None = None
    while view is not None:
        names = view.__code__.co_freevars if hasattr(view, "__code__") else ()
        for name, cell in zip(names, getattr(view, "__closure__", None) or (), strict=True):
            if name == "request_method_list":
                allowed = {m.upper() for m in cell.cell_contents}
                found = allowed if found is None else found & allowed
        view = getattr(view, "__wrapped__", None)
    return found


def _site_views() -> dict[str, set[str] | None]:
    """The site's pages and forms (the API and the admin apart) -> their methods."""
    return {
        name: _methods(pattern.callback)
        for name, pattern in _patterns()
        if not name.startswith(("admin:", "api:"))
    }


def _writes(methods: set[str] | None) -> bool:
    """A view without a restriction takes POST too: it counts as a write until it says
    ``require_safe``/``require_GET``."""
    return methods is None or bool(methods & {"POST", "PUT", "PATCH", "DELETE"})


def _reads(methods: set[str] | None) -> bool:
    return methods is None or "GET" in methods


def _admin_writes() -> set[str]:
    """The admin's add and change forms ISU staff may send (``StaffAdmin``; read-only
    admins and the delete forms, which no admin allows, are not writes)."""
    request = RequestFactory().get("/admin/")
    request.user = SYSTEM
    found = set()
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if model_admin.has_add_permission(request):
            found.add(f"{prefix}_add")
        if model_admin.has_change_permission(request):
            found.add(f"{prefix}_change")
    return found


class _Anything:
    """Whatever a matrix's context holds, in a dry run: any attribute or item is another
    one, and it reads as ``1`` in an address."""

    pk = id = number = 1

    def __getattr__(self, name: str) -> _Anything:
        return _Anything()

    def __getitem__(self, key: Any) -> _Anything:
        return _Anything()

    def __call__(self, *args: Any, **kwargs: Any) -> _Anything:
        return _Anything()

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __str__(self) -> str:
        return "1"

    def __format__(self, spec: str) -> str:
        return "1"

    def __int__(self) -> int:
        return 1


class _Context(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        return _Anything()


class _RecordingClient:
    """A test client that sends nothing: it notes each request's method and address."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method not in {"get", "post", "put", "patch", "delete", "head"}:
            raise AttributeError(method)

        def send(path: str, *args: Any, **kwargs: Any) -> Any:
            self.sent.append((method.upper(), path))
            return _Anything()

        return send


def _view_name(path: str) -> str:
    match = resolve(urlsplit(path).path)
    return match.view_name


def _dry_run(call: Callable[[Any, Any], Any], ctx: Any) -> list[tuple[str, str]]:
    client = _RecordingClient()
    call(client, ctx)
    return [(method, _view_name(path)) for method, path in client.sent]


def _web_matrices() -> dict[str, list[tuple[str, str]]]:
    """Each entry of every web matrix -> the (method, view name) of the requests it sends,
    found by running its request builder against a client that only takes notes."""
    from minefree.accounts.tests import test_permissions as accounts_matrix
    from minefree.cooperation.tests import test_views_permissions as cooperation_matrix
    from minefree.reporting.tests import test_permissions as reporting_matrix

    found: dict[str, list[tuple[str, str]]] = {}
    for endpoint in accounts_matrix.ENDPOINTS:
        found[f"accounts: {endpoint.name}"] = _dry_run(endpoint.call, _Context())
    for module in (reporting_matrix, cooperation_matrix):
        for entry in module.ENDPOINTS:
            found[f"{module.__name__}: {entry.name}"] = [
                ("POST", _view_name(entry.url(_Context())))
            ]
    for page in accounts_matrix.PAGES:
        found[f"page: {page.name}"] = [("GET", _view_name(page.path(_Context())))]
    for name, path in accounts_matrix.PUBLIC_PAGES:
        found[f"public page: {name}"] = [("GET", _view_name(path(_Context())))]
    return found


@pytest.fixture
def matrices(db: Any) -> dict[str, list[tuple[str, str]]]:
    return _web_matrices()


def test_every_address_that_takes_post_is_in_a_web_write_matrix(matrices):
    covered = {view for sent in matrices.values() for method, view in sent if method != "GET"}
    views = _site_views()
    wanted = {name for name, methods in views.items() if _writes(methods)} | _admin_writes()
    missing = sorted(wanted - covered - set(NOT_WRITES) - set(WRITES_ELSEWHERE))
    assert not missing, "\nno allow/deny case sends POST to:\n" + "\n".join(missing)
    assert set(WRITES_ELSEWHERE) & covered == set(), "now in a matrix: drop from the list"


def test_every_page_is_in_the_page_matrix_or_the_public_pages(matrices):
    covered = {view for sent in matrices.values() for method, view in sent if method == "GET"}
    views = _site_views()
    wanted = {name for name, methods in views.items() if _reads(methods)}
    missing = sorted(wanted - covered - set(NOT_WRITES) - set(PAGES_PENDING))
    assert not missing, "\nno page case reads:\n" + "\n".join(missing)
    assert set(PAGES_PENDING) & covered == set(), "now in a matrix: drop from the list"


def test_the_dry_run_sees_what_a_matrix_entry_sends(db):
    def entry(client: Any, ctx: Any) -> Any:
        client.get(f"/reports/v/{ctx['draft'].pk}/")
        return client.post(f"/reports/v/{ctx['draft'].pk}/forms/B/rows/{ctx['row'].pk}/delete/")

    assert _dry_run(entry, _Context()) == [
        ("GET", "reporting:version"),
        ("POST", "reporting:row_delete"),
    ]


# --- the API's reads behind sign-in -----------------------------------------------------

_SIGNED_IN = set(CAST) - {"anonymous"}
#: (method, path as the OpenAPI document names it) -> (address, who of the cast reads it)
API_READS: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("GET", "/api/accounts/memberships"): ("/api/accounts/memberships", _SIGNED_IN),
    ("GET", "/api/accounts/tokens"): ("/api/accounts/tokens", _SIGNED_IN),
    ("GET", "/api/fund/ledger"): (
        "/api/fund/ledger",
        {"committee_chair", "isu_staff", "administrator"},
    ),
}
#: reads behind sign-in checked elsewhere
API_READS_ELSEWHERE = {
    ("GET", "/api/accounts/tokens/{token_id}"): (
        "one's own token: accounts/tests/test_api_tokens.py reads it, and 404 for others"
    ),
}


def test_every_api_read_behind_sign_in_is_in_the_read_matrix():
    schema = api.get_openapi_schema()
    behind = {
        ("GET", path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method == "get" and operation.get("security")
    }
    missing = sorted(behind - set(API_READS) - set(API_READS_ELSEWHERE))
    assert not missing, "\nno read case for:\n" + "\n".join(map(str, missing))


@pytest.mark.django_db
@pytest.mark.parametrize("operation", sorted(API_READS), ids=lambda o: o[1])
def test_api_read_answers_only_its_roles(operation: tuple[str, str]):
    cast = make_cast()
    path, allowed = API_READS[operation]
    for role, user in cast.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        status = client.get(path).status_code
        assert (status == 200) is (role in allowed), (role, status)
        if role not in allowed:
            assert status in (401, 403, 404), (role, status)
