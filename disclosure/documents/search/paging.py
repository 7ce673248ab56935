"""A paginator for lists of documents that may hold a million rows."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from disclosure.documents.search.backends import get_backend


class EstimatingPaginator(Paginator):
    """Counts through the search backend: exactly up to its limit, estimated beyond, so that no
    page counts every row. ``count_is_exact`` says which; the pages themselves are exact."""

    count_is_exact = True

    @cached_property
    def count(self):
        count, self.count_is_exact = get_backend().count(self.object_list)
        return count
