"""Events the registry takes from the apps above it (``core.hooks``).

A higher app may change the registry only through its services; where the change must not
be able to veto the higher app's act, it emits one of these events and the registry's
handler makes the change after that act has committed (idempotent, retried on failure).
"""

#: An Article 5 extension was granted (``clearance``). Payload: ``obligation_id``,
#: ``reference`` (the decision's record, e.g. ``clearance.extensionrequest:12``, making the
#: handler idempotent), ``submitted_on``, ``meeting_id``, ``decided_on``, ``new_deadline``
#: (ISO dates or null) and ``origin``.
EXTENSION_DECIDED = "registry.extension_decided"
