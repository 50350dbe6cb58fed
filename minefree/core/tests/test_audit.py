"""The audit spine: services record what they change, and nothing else may write."""

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest
from django.db import connection

import minefree
from minefree.core.audit import (
    SERVICES,
    SYSTEM,
    UnauditedWriteError,
    audit_record,
    check_action_name,
    service,
)
from minefree.core.models import AuditEvent, Source


def _service_modules() -> list[ModuleType]:
    """Every app's ``services`` module; for an app whose services grew into a package
    (``reporting/services/``), the package and every module in it."""
    modules = []
    for app in pkgutil.iter_modules(minefree.__path__):
        name = f"minefree.{app.name}.services"
        if not app.ispkg or not importlib.util.find_spec(name):
            continue
        module = importlib.import_module(name)
        modules.append(module)
        if hasattr(module, "__path__"):
            modules += [
                importlib.import_module(info.name)
                for info in pkgutil.walk_packages(module.__path__, f"{name}.")
            ]
    return modules


SERVICE_MODULES = _service_modules()
SERVICE_PACKAGES = [m for m in SERVICE_MODULES if hasattr(m, "__path__")]


def test_there_are_services_to_check():
    assert len(SERVICE_MODULES) >= 2
    assert "minefree.reporting.services.rows" in {m.__name__ for m in SERVICE_MODULES}


@pytest.mark.parametrize("module", SERVICE_MODULES, ids=lambda m: m.__name__)
def test_every_public_service_function_is_an_audited_service(module):
    for name, func in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or func.__module__ != module.__name__:
            continue
        keyword_only = [
            p for p in inspect.signature(func).parameters.values() if p.kind == p.KEYWORD_ONLY
        ]
        if not any(p.name == "actor" for p in keyword_only):
            continue  # helpers (normalize_name, today) take no actor and write nothing
        assert getattr(func, "__minefree_service__", False), (
            f"{module.__name__}.{name} is not @service"
        )


@pytest.mark.parametrize("package", SERVICE_PACKAGES, ids=lambda m: m.__name__)
def test_a_services_package_offers_every_service_of_its_modules(package):
    """Callers import an app's services from the package (``services.row_save``), as they
    did from the module it replaced: each service of its modules is one of its names."""
    prefix = f"{package.__name__}."
    inside = {name for name in SERVICES if name.startswith(prefix)}
    assert inside, f"{package.__name__} holds no service"
    for qualname in inside:
        name = qualname.rsplit(".", 1)[1]
        assert getattr(package, name, None) is SERVICES[qualname], f"{package.__name__}.{name}"


@pytest.mark.django_db
def test_a_service_that_writes_without_an_audit_event_fails_and_rolls_back():
    @service
    def careless_source_create(*, actor, url):
        Source.objects.create(url=url)

    with pytest.raises(UnauditedWriteError):
        careless_source_create(actor=SYSTEM, url="https://example.org/careless")
    assert not Source.objects.filter(url="https://example.org/careless").exists()
    SERVICES.pop(f"{__name__}.careless_source_create", None)


@pytest.mark.django_db
def test_a_service_that_audits_its_write_succeeds():
    @service
    def careful_source_create(*, actor, url):
        source = Source.objects.create(url=url)
        audit_record(actor=actor, action="source.created", obj=source, after={"url": url})
        return source

    source = careful_source_create(actor=SYSTEM, url="https://example.org/careful")
    event = AuditEvent.objects.get(object_type="core.source", object_id=str(source.pk))
    assert event.action == "source.created" and event.actor_label == "system"
    SERVICES.pop(f"{__name__}.careful_source_create", None)


@pytest.mark.django_db
def test_audit_events_are_append_only():
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_reads_inside_a_service_need_no_audit(db):
    @service
    def read_only(*, actor):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Source.objects.count()

    assert read_only(actor=SYSTEM) > 0
    SERVICES.pop(f"{__name__}.read_only", None)


@pytest.mark.parametrize(
    "action",
    [
        "report.submitted",
        "case.meeting_recorded",
        "action.done",
        "follow_up.failed_again",
        "extension_request.requirement_met",
    ],
)
def test_audit_actions_in_the_past_participle_are_accepted(action):
    check_action_name(action)


@pytest.mark.parametrize(
    "action", ["case.schedule", "platform.create", "edit", "Report.Submitted", "report.submit"]
)
def test_audit_actions_in_another_tense_are_refused(action):
    with pytest.raises(ValueError, match=r"noun\.past_participle"):
        check_action_name(action)
