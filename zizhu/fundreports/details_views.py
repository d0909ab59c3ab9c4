"""Views of the details pages (being built)."""

urlpatterns: list = []
