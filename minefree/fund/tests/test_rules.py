"""Who may keep the fund's books, apply, report, score and decide (``fund/rules.py``).

The cast has no member sitting for a state, so scoring and deciding on a real application
are tested with the committee's 2024 members in ``test_review.py``."""

from types import SimpleNamespace

from minefree.accounts.tests.rules import COMMITTEE, PERU_PEOPLE, STAFF, RuleCases, rule_test
from minefree.registry.models import Actor


def _peru_body() -> Actor:
    return Actor.objects.get(slug="peru-contraminas")


RULE_CASES: RuleCases = {
    "fund.manage": (lambda: None, STAFF),
    "fund.read_books": (lambda: None, COMMITTEE),
    "fund_host_profile.edit": (_peru_body, PERU_PEOPLE | STAFF),
    "fund_application.draft": (_peru_body, PERU_PEOPLE),
    "fund_application.host_report": (_peru_body, PERU_PEOPLE),
    "fund_application.score": (lambda: None, COMMITTEE),
    "fund_application.decide": (lambda: None, COMMITTEE),
    "fund_follow_up.update": (
        lambda: SimpleNamespace(applicant=_peru_body()),
        COMMITTEE | PERU_PEOPLE,
    ),
    "fund_visit.record": (_peru_body, PERU_PEOPLE | STAFF),
}


test_rule = rule_test(RULE_CASES)
