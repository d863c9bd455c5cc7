from django.urls import path

from onewindow.supervision.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:kind>/", views.report_page, name="report"),
    path("<str:kind>/pdf/", views.report_pdf, name="pdf"),
    path("<str:kind>/xlsx/", views.report_xlsx, name="xlsx"),
]
