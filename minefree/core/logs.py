"""Log lines as ``key=value`` pairs carrying the request id, so one request's lines (and the
id a user reads on an error page) can be found across app servers."""

from __future__ import annotations

import json
import logging


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (the one ``RequestIdMiddleware`` set, "-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django.apps import apps

        if not apps.ready:  # a line logged while Django starts: no request yet
            record.request_id = "-"
            return True
        # imported here: logging is configured before the apps (and ``core.audit``) load
        from minefree.core.audit import request_id_var

        record.request_id = request_id_var.get() or "-"
        return True


class KeyValueFormatter(logging.Formatter):
    """``time=… level=… logger=… request_id=… message="…"``, the message and any traceback
    JSON-quoted so that a line is always one line."""

    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"time={self.formatTime(record, '%Y-%m-%dT%H:%M:%S%z')} level={record.levelname} "
            f"logger={record.name} request_id={getattr(record, 'request_id', '-')} "
            f"message={json.dumps(record.getMessage(), ensure_ascii=False)}"
        )
        if record.exc_info:
            line += f" exception={json.dumps(self.formatException(record.exc_info))}"
        return line
