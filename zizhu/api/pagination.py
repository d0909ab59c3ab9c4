"""Cursor pagination: a page is one indexed range query, however deep, with no COUNT."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-pk"

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param, "")
        if value.isascii() and value.isdigit() and 0 < int(value) <= 100_000:
            return min(int(value), self.max_page_size)
        return self.page_size
