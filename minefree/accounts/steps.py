"""A focal point's two steps for one of their states, delegating and handing over, as the
home page's forms and the API both take them: the same service, and the name the form and
the payload give the other user."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from minefree.accounts import services
from minefree.accounts.models import Membership
from minefree.registry.models import Actor


@dataclass(frozen=True)
class FocalPointStep:
    service: Callable[..., Membership]
    #: the form's and the payload's name for the other user
    field: str
    #: the service's keyword for it
    keyword: str

    def take(self, actor: Any, state: Actor, data: Mapping[str, Any]) -> Membership:
        """Call the service with the other user and the note of ``data``."""
        return self.service(
            actor=actor, state=state, note=data["note"], **{self.keyword: data[self.field]}
        )


DELEGATE = FocalPointStep(services.focal_point_delegate, "colleague", "colleague_username")
HAND_OVER = FocalPointStep(services.focal_point_hand_over, "successor", "successor_username")
