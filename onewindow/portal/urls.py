from django.urls import path

from onewindow.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/<str:code>/", views.guide, name="guide"),
    path("items/<str:code>/print/", views.guide_print, name="guide_print"),
]
