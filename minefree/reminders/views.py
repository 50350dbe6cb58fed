"""The ISU page of reminders: what was sent, to whom, and what comes next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from minefree.accounts.selectors import is_staff_member
from minefree.core.views import paginate
from minefree.reminders import selectors
from minefree.reminders.forms import ReminderFilterForm

PAGE_SIZE = 50
#: States named per upcoming step; the rest are counted.
NAMES_SHOWN = 12


@require_GET
@login_required
def reminder_list(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        return render(request, "reminders/denied.html", status=403)
    years, states = selectors.reminder_filter_choices()
    form = ReminderFilterForm(request.GET or None, years=years, states=states)
    year: int | None = None
    state: str | None = None
    if form.is_valid():
        year = form.cleaned_data["year"] or None
        state = form.cleaned_data["state"] or None
    sent = selectors.reminders_for(request.user, year=year, state=state)
    page, query = paginate(request, sent, PAGE_SIZE)
    today = timezone.localdate()
    context = {
        "form": form,
        "page": page,
        "query": query,
        "today": today,
        "due_now": selectors.reminders_due(today),
        "upcoming": selectors.reminders_upcoming(today),
        "names_shown": NAMES_SHOWN,
        "days_before": selectors.days_before(),
    }
    return render(request, "reminders/list.html", context)
