"""Submitting takes two steps: a summary of what will be published, then the submission.

And the point of contact: carried over from the previous report, and a warning when missing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import VersionStatus
from minefree.reporting.tests.factories import explain_warnings, submit_explained

pytestmark = pytest.mark.django_db


@pytest.fixture
def user() -> Any:
    return make_user("fp_nor", Role.STATE_FOCAL_POINT, scope="NOR")


@pytest.fixture
def norway() -> Actor:
    return Actor.objects.get(iso3="NOR")


def _with_contact(user: Any, version: Any) -> Any:
    return services.version_contact_save(
        actor=user,
        version=version,
        name="Ingrid Berg",
        organisation="Norwegian Ministry of Foreign Affairs",
        email="ingrid.berg@example.org",
        phone="",
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_point_of_contact_is_carried_over_to_next_years_draft(user: Any, norway: Actor) -> None:
    first = services.report_open(actor=user, state=norway, year=2024)
    _with_contact(user, first)
    submit_explained(user, first)
    draft = services.report_open(actor=user, state=norway, year=2025)
    assert draft.contact_name == "Ingrid Berg"
    assert draft.contact_email == "ingrid.berg@example.org"
    assert draft.contact_organisation == "Norwegian Ministry of Foreign Affairs"


def test_a_missing_contact_is_a_warning_to_answer_before_submitting(
    user: Any, norway: Actor
) -> None:
    draft = services.report_open(actor=user, state=norway, year=2024)
    with pytest.raises(ValidationError) as refused:
        explain = [
            i for i in services_findings(draft) if i.code != "MF-W07"
        ]  # explain everything else
        for issue in explain:
            services.warning_explain(
                actor=user, version=draft, code=issue.code, target=issue.target, text="Known."
            )
        services.report_submit(actor=user, version=draft)
    assert any("point of contact" in m for m in refused.value.messages)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    _with_contact(user, draft)
    services.report_submit(actor=user, version=draft)  # a complete contact answers it
    draft.refresh_from_db()
    assert draft.status == VersionStatus.SUBMITTED


def services_findings(version: Any) -> list[Any]:
    from minefree.reporting.selectors import validation_context
    from minefree.reporting.specification.content import load_content
    from minefree.reporting.specification.validation import before_submission

    return before_submission(load_content(version), validation_context(version))


def test_the_version_page_links_to_a_confirmation_and_does_not_publish_in_one_click(
    user: Any, norway: Actor
) -> None:
    draft = services.report_open(actor=user, state=norway, year=2024)
    client = _client(user)
    page = client.get(f"/reports/v/{draft.pk}/").content.decode()
    assert f'href="/reports/v/{draft.pk}/submit/"' in page
    assert 'name="confirmed"' not in page  # no submit form on the draft page itself
    # a POST without the confirmation shows the summary and publishes nothing
    response = client.post(f"/reports/v/{draft.pk}/submit/")
    assert response.status_code == 200
    assert "Check what will be published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_the_summary_lists_forms_warnings_and_contact_and_blocks_while_unexplained(
    user: Any, norway: Actor
) -> None:
    first = services.report_open(actor=user, state=norway, year=2024)
    _with_contact(user, first)
    services.form_status_set(actor=user, version=first, letter="I", status="not_applicable")
    submit_explained(user, first)
    draft = services.report_open(actor=user, state=norway, year=2025)
    row = draft.rows.filter(table="stockpile").first()
    services.row_save(
        actor=user,
        version=draft,
        letter="B",
        table="stockpile",
        row=row,
        values={"mine_type": "PMN", "quantity": 5},
    )
    client = _client(user)
    html = client.get(f"/reports/v/{draft.pk}/submit/").content.decode()
    assert "Compared with the report for 2024, version 1." in html
    assert 'data-letter="B" data-status="changed"' in html
    assert 'data-letter="I" data-status="not_applicable"' in html
    assert "Ingrid Berg" in html
    blocked = 'disabled aria-describedby="submit-blocked"' in html
    assert blocked == ("needs an explanation" in html)
    assert blocked  # the changed stockpile does not balance with last year's: a warning
    explain_warnings(user, draft)
    html = client.get(f"/reports/v/{draft.pk}/submit/").content.decode()
    assert "disabled" not in html.split('id="submit"')[1]
    response = client.post(f"/reports/v/{draft.pk}/submit/", {"confirmed": "yes"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.SUBMITTED
    # once submitted, the confirmation page sends back to the version
    assert client.get(f"/reports/v/{draft.pk}/submit/").status_code == 302
