"""One workflow mechanism: every workflow's edges are allowed, every other move refused,
and each edge is taken by a service that exists."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError

from minefree.core.audit import SERVICES
from minefree.core.tests.modules import import_every_module
from minefree.core.workflow import WORKFLOWS, AlreadyDone

import_every_module()


def test_reports_cases_and_flows_each_have_a_workflow():
    assert {"report_version", "case", "flow"} <= set(WORKFLOWS)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_edge_is_allowed_and_every_other_move_refused(name):
    workflow = WORKFLOWS[name]
    for current, target in itertools.product(workflow.statuses.values, repeat=2):
        if target in workflow.edges[current]:
            workflow.check(current, target)
            assert workflow.allows(current, target)
            continue
        assert not workflow.allows(current, target)
        expected = AlreadyDone if current == target else ValidationError
        with pytest.raises(expected) as refused:
            workflow.check(current, target)
        assert workflow.label(current) in " ".join(refused.value.messages)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_each_edge_is_taken_by_a_registered_service(name):
    services = {qualname.rsplit(".", 1)[1] for qualname in SERVICES}
    for targets in WORKFLOWS[name].edges.values():
        for service_name in targets.values():
            assert service_name in services, f"{name}: no service {service_name}"


def test_move_sets_the_status_and_returns_the_one_left():
    workflow = WORKFLOWS["case"]

    class Case:
        status = "requested"

    case = Case()
    assert workflow.move(case, "scheduled") == "requested"  # type: ignore[arg-type]
    assert case.status == "scheduled"
    with pytest.raises(ValidationError):
        workflow.move(case, "closed")  # type: ignore[arg-type]
    assert case.status == "scheduled"
