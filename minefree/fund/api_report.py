"""The yearly report of the fund through the API (attached to ``fund.api.router``)."""

from minefree.fund.api import router  # noqa: F401
