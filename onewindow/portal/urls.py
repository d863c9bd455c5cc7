from django.urls import path

from onewindow.portal import bundle_views, views
from onewindow.portal.applicant_urls import urlpatterns as applicant_urlpatterns

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/<str:code>/", views.guide, name="guide"),
    path("items/<str:code>/print/", views.guide_print, name="guide_print"),
    path("bundles/", bundle_views.bundles, name="bundles"),
    path("bundles/<str:code>/", bundle_views.bundle_guide, name="bundle_guide"),
    *applicant_urlpatterns,  # the applicant's screens (applicant_urls.py)
]
