"""Paging that does not slow with the page number, for lists whose length is already known."""

from functools import cached_property

from django.core.paginator import InvalidPage, Page, Paginator


class OutsideWindow(InvalidPage):
    """A page too far from both ends to read cheaply: narrow the list with a filter instead."""


class CountedPaginator(Paginator):
    """A Paginator given its count (from kept counts, no COUNT query) that reads the pages past
    the middle from the other end: ``object_list`` must be an ordered queryset whose order is
    total (ends with the primary key), and the last page costs what the first does.

    ``count`` may be a bound (``capped``): the list then shows only its first ``count`` rows,
    read from the front.
    """

    def __init__(self, object_list, per_page, *, count, capped=False, window=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count
        self.capped = capped
        # Pages reachable from each end: an offset costs as many index entries as it skips, so
        # pages deep in the middle of a very long list are offered through filters instead.
        self.window = window

    @cached_property
    def count(self):
        return self._known_count

    def page(self, number):
        number = self.validate_number(number)
        if self.window and self.window < number <= self.num_pages - self.window:
            raise OutsideWindow(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        if self.capped or bottom <= self.count - top:
            return self._get_page(self.object_list[bottom:top], number, self)
        # Nearer the end: read the page backwards with the smaller offset, then turn it round.
        rows = list(self.object_list.reverse()[self.count - top : self.count - bottom])
        rows.reverse()
        return self._get_page(rows, number, self)


def empty_page(paginator, number):
    """A page with no rows at ``number``: what a list shows for a page outside its window."""
    return Page([], number, paginator)
