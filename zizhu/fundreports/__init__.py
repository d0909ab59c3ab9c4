"""Read-only reports over the funds ledger: filing details, progress, income/expenditure
summaries, and the per-authority totals kept by database triggers. Reads funds, vouchers and
recipients; must not import the shell (web), anomalies or the tools.

Layers: docs/architecture.md."""
