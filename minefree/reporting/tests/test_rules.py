"""Who may do what with Article 7 reports (``reporting/rules.py``)."""

import pytest

from minefree.accounts.tests.rules import STAFF, RuleCases, assert_rule, rule_test
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db
PERU_PEOPLE = {"focal_point_peru", "delegate_peru"}


def _peru():
    return Actor.objects.get(iso3="PER")


RULE_CASES: RuleCases = {
    "report.draft": (_peru, PERU_PEOPLE),
    "report.import": (_peru, PERU_PEOPLE | STAFF),
    "report.import_history": (lambda: None, STAFF),
    "report.import_batch": (lambda: None, STAFF),
    "report.clarification_request": (lambda: None, STAFF),
    "report.contact_read": (_peru, PERU_PEOPLE | STAFF | {"committee_chair"}),
}


test_rule = rule_test(RULE_CASES)


def test_importing_for_any_state_is_for_staff_only():
    assert_rule("report.import", None, STAFF)
