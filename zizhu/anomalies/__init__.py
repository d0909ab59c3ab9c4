"""The monthly anomaly checks of 中职 aid recipients: the engine (DuckDB and Spark) over the
analytics store, runs, findings, explanations and their review, the 异常信息查看 pages and
the to-do. Reads the approved recipient lists (recipients) and the store; must not import
the funds side, the shell (web) or the tools (demo, synth).

Layers: docs/architecture.md."""
