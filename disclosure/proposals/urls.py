"""Public proposal pages, included under ``documents/proposals/`` in the ``disclosure`` namespace."""

from django.urls import path

from disclosure.proposals import views
from portal.page_cache import public_page

urlpatterns = [
    path(
        "",
        public_page(views.ProposalListView.as_view(), params=views.LIST_PARAMETERS),
        name="proposals",
    ),
    path(
        "sessions/<int:pk>/statistics/",
        public_page(views.ProposalStatisticsView.as_view(), params={}),
        name="proposal-statistics",
    ),
]
