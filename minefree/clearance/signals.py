"""Events of extension requests, for ``core.hooks``: emitted by the services after the
change, run once it has committed."""

#: a version of a request was submitted; payload ``request_id``, ``version_id``
REQUEST_SUBMITTED = "extension_request.submitted"
