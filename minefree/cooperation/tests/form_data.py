"""What the need and offer forms are sent in tests of rights and of the audit log."""

NEED_FORM = {
    "pillar": "survey_clearance",
    "assistance_type": "financial",
    "title": "Mine detection dogs",
    "amount": "250000",
    "currency": "USD",
    "year_from": "2025",
    "year_to": "2026",
    "languages": "es",
    "source_kind": "form_j",
    "source_ref": "Article 7 report 2024, version 1",
    "visibility": "public",
}
OFFER_FORM = {
    "title": "Deminers' training",
    "assistance_types": ["training"],
    "pillars": ["survey_clearance"],
    "priority_states": "PER",
    "priority_regions": "",
    "languages": "es",
    "year_from": "2025",
    "year_to": "2027",
    "visibility": "public",
}
