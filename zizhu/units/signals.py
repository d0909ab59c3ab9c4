"""Signals of the unit tree, for apps that keep copies of where units sit."""

from django.dispatch import Signal

# Sent once after an import moved one or more subtrees (paths and parents changed), inside
# the import's transaction. zizhu.fundreports rebuilds its per-authority totals on it.
units_moved = Signal()
