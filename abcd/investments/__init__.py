"""Meeting-place investments: per wijk one standard meeting place, and room for the ones residents start.

:mod:`~abcd.investments.model` holds the vocabulary and validation,
:mod:`~abcd.investments.amounts` reads euros strictly,
:mod:`~abcd.investments.summary` does the pure per-wijk accounting,
:mod:`~abcd.investments.ledger` stores investments with their history,
:mod:`~abcd.investments.exchange` imports ledgers and writes the summary CSV, and
:mod:`~abcd.investments.tables` builds the display tables. Nothing is imported
here, so reading a ledger does not load the map or the database layer.
"""
