"""Public proposal pages, included under ``documents/proposals/`` in the ``disclosure`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ProposalListView.as_view(), name="proposals"),
    path(
        "sessions/<int:pk>/statistics/",
        views.ProposalStatisticsView.as_view(),
        name="proposal-statistics",
    ),
]
