from django.urls import path

from onewindow.portal import views
from onewindow.portal.applicant_urls import urlpatterns as applicant_urlpatterns

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/<str:code>/", views.guide, name="guide"),
    path("items/<str:code>/print/", views.guide_print, name="guide_print"),
    *applicant_urlpatterns,  # the applicant's screens (applicant_urls.py)
]
