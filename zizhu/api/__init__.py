"""The REST API (docs/api.md): personal tokens, the funds, vouchers, lists, findings and
reports as resources, idempotent writes. A second door onto the same domains: every view asks
the same policies, services and report builders the pages ask, through zizhu.access; it holds
no business rule of its own. Must not import the shell (web) or the tools (demo, synth).

Layers: docs/architecture.md."""
