"""Recipient lists (资助名单): validated imports (a job), review, versions, sealed personal
numbers, and the approved lists in force written to the analytics store for a run. Must not
import funds, anomalies, the shell (web) or the tools.

Layers: docs/architecture.md."""
