from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("catalog/", include("catalog.urls")),
    path("robots.txt", views.robots_txt, name="robots"),
    path("admin/", admin.site.urls),
]
