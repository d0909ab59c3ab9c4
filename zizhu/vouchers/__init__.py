"""Payment vouchers (支付凭证) of schools with their checked files, and the authorities'
view of them. Reads funds (a closed filing closes its vouchers); must not import
fundreports, the shell (web) or the tools.

Layers: docs/architecture.md."""
