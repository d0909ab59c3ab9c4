"""The funds ledger: filings of the four categories, allocations down the hierarchy,
receipts, balances, deadlines (services under row locks; who may do what in policy.py).
Must not import vouchers, fundreports, the shell (web) or the tools.

Layers: docs/architecture.md."""
