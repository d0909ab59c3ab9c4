"""Views of the summary pages (being built)."""

urlpatterns: list = []
