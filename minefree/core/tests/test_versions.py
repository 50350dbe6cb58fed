"""Versions of what a writer read: fingerprints that change with the data, not its form."""


def test_a_fingerprint_ignores_key_order_and_trailing_zeros():
    """What the database gives back (PostgreSQL's jsonb sorts keys; a decimal column pads
    its places) is the version of what was just saved, not a change."""
    from decimal import Decimal

    from minefree.core.versions import fingerprint

    assert fingerprint({"n": {"b": 1, "a": 2}, "amount": Decimal("5")}) == fingerprint(
        {"n": {"a": 2, "b": 1}, "amount": Decimal("5.00")}
    )
    assert fingerprint({"amount": Decimal("5")}) != fingerprint({"amount": Decimal("5.01")})
