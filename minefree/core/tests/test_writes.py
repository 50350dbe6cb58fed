"""Every ORM write in minefree's code runs inside an audited service (ADR 0002)."""

from __future__ import annotations

from pathlib import Path

import pytest

import minefree
from minefree.core.audit import SERVICES, UnauditedWriteError, in_service, within_service
from minefree.core.tests.modules import import_every_module
from minefree.core.tests.writes import scanned_modules, uncovered_writes

ROOT = Path(minefree.__file__).parent


def test_no_module_writes_outside_a_service():
    found = {
        f"{path.relative_to(ROOT)}:{line} in {function}"
        for path in scanned_modules(ROOT)
        for line, function in uncovered_writes(path.read_text(encoding="utf-8"))
    }
    assert not found, sorted(found)


def test_the_scanner_finds_writes_that_no_service_covers():
    source = """
from minefree.core.audit import service, within_service

def view(request):
    Need.objects.filter(pk=1).update(title="x")      # a view writing: reported

@service
def need_save(*, actor):
    _store()
    Need.objects.create(title="y")

def _store():
    Offer.objects.bulk_create([])                     # only a service calls it: covered

def _orphan():
    thing.save()                                      # nobody covered calls it: reported

@within_service
def upsert(obj):
    obj.save()

def export(workbook, stream):
    workbook.save(stream)                             # a file's save, not the ORM's

@router.delete("/rows/{row_id}")                      # an API operation, declared
def row_remove(request, row_id):
    services.row_delete(actor=request.user, row=row_id)
"""
    assert [f for _line, f in uncovered_writes(source)] == ["view", "_orphan"]


def test_a_helper_that_writes_refuses_to_run_outside_a_service():
    @within_service
    def helper() -> str:
        return "ran"

    assert not in_service()
    with pytest.raises(UnauditedWriteError):
        helper()


def test_the_services_registry_holds_every_module_s_services():
    import_every_module()
    registered = {func.__module__ for func in SERVICES.values()}
    declaring = {
        ".".join(("minefree", *path.relative_to(ROOT).with_suffix("").parts))
        for path in scanned_modules(ROOT)
        if "\n@service\n" in path.read_text(encoding="utf-8")
    }
    assert len(declaring) > 30
    assert declaring <= registered, sorted(declaring - registered)
