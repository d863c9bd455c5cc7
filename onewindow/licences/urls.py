"""URLs of the licences (namespace ``licences``), included at the root by onewindow/urls.py."""

from django.urls import path

from onewindow.licences import views

app_name = "licences"

urlpatterns = [
    path("licences/industry/<str:token>/", views.industry_public, name="industry_public"),
    path(
        "licences/industry/<str:token>/qr.<str:fmt>",
        views.industry_qr,
        name="industry_qr",
    ),
    path("my/licences/", views.my_licences, name="mine"),
    path("my/licences/industry/<str:token>/", views.my_industry_licence, name="my_industry"),
    path(
        "my/licences/industry/<str:token>/pdf/",
        views.my_industry_licence_pdf,
        name="my_industry_pdf",
    ),
]
