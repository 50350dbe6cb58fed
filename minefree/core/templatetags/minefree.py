"""Template helpers for honest data: unknown values, partial dates, sources."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from minefree.core.dates import DateInterval, PartialDate
from minefree.core.models import Origin, Source

register = template.Library()


@register.filter
def or_unknown(value: Any) -> Any:
    """Show "unknown" for a value no source gives (never a blank or a guess)."""
    if value is None or value == "":
        return format_html('<span class="unknown">{}</span>', _("unknown"))
    return value


@register.simple_tag
def source_link(source: Source | None) -> SafeString:
    """Links to every address behind a fact, labelled by its source."""
    if source is None:
        return format_html('<span class="source unknown">{}</span>', _("source not recorded"))
    links = source.links
    if not links:
        return format_html('<span class="source">{}</span>', source.label)
    shown = format_html_join(
        ", ",
        "{}",
        (
            (
                format_html('<a href="{}" rel="noopener" target="_blank">{}</a>', href, label)
                if href
                else format_html("<cite>{}</cite>", label),
            )
            for href, label in links
        ),
    )
    return format_html('<span class="source">{}: {}</span>', _("source"), shown)


@register.filter
def intcomma_plain(value: Any) -> str:
    """Thousands separated with a thin space, whatever the language."""
    if value is None:
        return ""
    return f"{int(value):,}".replace(",", "\u202f")


@register.simple_tag(takes_context=True)
def language_url(context: template.Context, language: str) -> str:
    """The current page in another language (URL prefixes; no form, so pages cache)."""
    from django.urls import translate_url

    request = context.get("request")
    if request is None:
        return "/"
    url = translate_url(request.path, language)
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


PRECISION_NOTE = {"year": gettext_lazy("year only"), "month": gettext_lazy("month only")}


@register.filter
def pdate(value: Any) -> Any:
    """A partial date or interval with its precision made visible."""
    if value is None:
        return or_unknown(None)
    if isinstance(value, DateInterval):
        if value.is_exact:
            return format_html('<time datetime="{}">{}</time>', value.iso(), str(value))
        return format_html(
            '<span class="interval" data-earliest="{}" data-latest="{}">{}</span>',
            value.earliest.isoformat(),
            value.latest.isoformat(),
            _("between %(first)s and %(last)s")
            % {
                "first": formats.date_format(value.earliest, "DATE_FORMAT"),
                "last": formats.date_format(value.latest, "DATE_FORMAT"),
            },
        )
    if isinstance(value, PartialDate):
        note = PRECISION_NOTE.get(value.precision)
        if note:
            return format_html(
                '<time datetime="{}" data-precision="{}">{}</time> <small>({})</small>',
                value.iso(),
                value.precision,
                str(value),
                note,
            )
        return format_html('<time datetime="{}">{}</time>', value.iso(), str(value))
    return value


@register.simple_tag
def deadline_status(deadline: PartialDate | None, today: dt.date) -> str:
    """Days left to a deadline known to the day; what can honestly be said otherwise.

    A deadline that passed while the obligation is open is only what the latest source
    says: a later extension may exist that minefree's sources do not show, so it says so.
    """
    if deadline is None:
        return ""
    if deadline.precision != "day":
        if deadline.latest < today:
            return _("deadline passed, as of the latest source (no later decision known)")
        return _("deadline at the latest at the end of %(period)s") % {"period": str(deadline)}
    days = (deadline.value - today).days
    if days > 0:
        return ngettext("%(n)s day left", "%(n)s days left", days) % {"n": days}
    if days == 0:
        return _("deadline is today")
    return ngettext(
        "passed %(n)s day ago, as of the latest source (no later decision known)",
        "passed %(n)s days ago, as of the latest source (no later decision known)",
        -days,
    ) % {"n": -days}


@register.simple_tag
def also_reported(profile: Any, kind: str, field: str, *parts: Any) -> SafeString:
    """Values other sources give for the same fact, each with its source."""
    code = profile.actor.iso3 or ""
    key = ":".join([kind, code, *(str(p) for p in parts), field])
    alternatives = profile.alt(key)
    if not alternatives:
        return SafeString("")
    items = format_html_join(
        "; ",
        "<strong>{}</strong> ({})",
        ((alt.value, source_link(alt.source)) for alt in alternatives),
    )
    return format_html('<span class="conflict">{} {}</span>', _("Another source gives:"), items)


# UN M49 codes of the regions the reference data names, so Babel (CLDR) can name them.
M49 = {
    "Africa": "002", "Americas": "019", "Asia": "142", "Europe": "150", "Oceania": "009",
    "Northern Africa": "015", "Sub-Saharan Africa": "202",
    "Latin America and the Caribbean": "419", "Northern America": "021",
    "Central Asia": "143", "Eastern Asia": "030", "South-eastern Asia": "035",
    "Southern Asia": "034", "Western Asia": "145", "Eastern Europe": "151",
    "Northern Europe": "154", "Southern Europe": "039", "Western Europe": "155",
    "Australia and New Zealand": "053", "Melanesia": "054", "Micronesia": "057",
    "Polynesia": "061",
}  # fmt: skip


@register.filter
def region_name(name: str) -> str:
    """A UN M49 region in the active language (English keeps the UN's own wording)."""
    return localized_region(name)


def localized_region(name: str) -> str:
    from babel import Locale
    from django.utils import translation

    lang = (translation.get_language() or "en")[:2]
    code = M49.get(name)
    if lang == "en" or code is None:
        return name
    return str(Locale.parse(lang).territories.get(code, name))


@register.simple_tag
def synthetic_label(origin: str) -> SafeString:
    """A visible label on anything invented for the demo; nothing for real data."""
    if origin != Origin.SYNTHETIC:
        return SafeString("")
    return format_html(
        '<span class="synthetic-label" title="{}">{}</span>',
        _("Invented for the demo: not a real submission."),
        _("synthetic demo data"),
    )
