"""Plain helpers that need no Django (each has its own tests)."""
