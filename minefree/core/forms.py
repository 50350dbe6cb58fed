"""Form pieces shared by every app."""

from __future__ import annotations

import uuid

from django import forms


def new_request_key() -> str:
    return uuid.uuid4().hex


class OnceForm(forms.Form):
    """A form whose submission must take effect once (see ``core.workflow.claim_once``).

    Each rendering carries a fresh key; a bound form shown again after an error keeps the
    key it was sent with, so correcting and resending is still the same one request.
    """

    request_key = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=new_request_key
    )
