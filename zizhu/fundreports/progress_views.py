"""Views of the progress pages (being built)."""

urlpatterns: list = []
