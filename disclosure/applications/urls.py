"""Public pages of 依申请公开, included at ``ysqgk/`` in the ``applications`` namespace."""

from django.urls import path

from disclosure.applications import views
from portal.page_cache import as_used, public_page

app_name = "applications"

urlpatterns = [
    path("", public_page(views.GuideView.as_view(), params={}), name="guide"),
    # The form, the receipt and the status page hold personal data: never public pages.
    path("agencies/<int:pk>/apply/", views.apply, name="apply"),
    path("receipt/", views.receipt, name="receipt"),
    # A file, not a page: answered with a file's headers, its 304 too (views.application_form).
    path("form.docx", views.application_form, name="application-form"),
    path("status/", views.status, name="status"),
    path("status/<int:pk>/supplement/", views.supplement, name="supplement"),
    path("status/files/<int:pk>/", views.released_file, name="released-file"),
    path("status/letters/<int:pk>/", views.status_letter, name="status-letter"),
    path(
        "statistics/",
        public_page(views.StatisticsView.as_view(), params={"year": as_used}),
        name="statistics",
    ),
]
