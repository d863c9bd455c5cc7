from django.urls import path

from onewindow.backoffice import (
    views_acceptance,
    views_bundle_window,
    views_bundles,
    views_cases,
    views_tasks,
    views_visits,
    views_window,
)

app_name = "backoffice"

urlpatterns = [
    path("", views_cases.home, name="home"),
    path("window/", views_window.window, name="window"),
    path(
        "window/applicants/<int:applicant_id>/",
        views_window.window_applicant,
        name="window_applicant",
    ),
    path(
        "window/applicants/<int:applicant_id>/start/",
        views_window.window_start,
        name="window_start",
    ),
    # 登记窗口服务 (views_visits.py)
    path("visits/", views_visits.visits, name="visits"),
    path("visits/new/", views_visits.visit_new, name="visit_new"),
    path("acceptance/", views_acceptance.queue, name="acceptance"),
    path("acceptance/<str:number>/", views_acceptance.accept, name="accept"),
    path("tasks/", views_tasks.tasks, name="tasks"),
    path("tasks/<int:task_id>/", views_tasks.task, name="task"),
    path("results/", views_cases.results, name="results"),
    path("cases/", views_cases.cases, name="cases"),
    path("cases/<str:number>/", views_cases.case, name="case"),
    path("cases/<str:number>/fill/", views_window.case_fill, name="case_fill"),
    path(
        "cases/<str:number>/materials/<int:material_id>/upload/",
        views_window.material_upload,
        name="material_upload",
    ),
    path(
        "cases/<str:number>/materials/<int:material_id>/",
        views_cases.material_file,
        name="material_file",
    ),
    path(
        "cases/<str:number>/notices/<int:notice_id>/pdf/",
        views_cases.notice_pdf,
        name="notice_pdf",
    ),
    # 一件事一次办 (views_bundles.py)
    path("bundles/", views_bundles.bundles, name="bundles"),
    path("bundles/window/", views_bundles.bundle_window, name="bundle_window"),
    path("bundles/window/<str:number>/", views_bundles.bundle_accept, name="bundle_accept"),
    path(
        "bundles/inspections/<int:inspection_id>/",
        views_bundles.inspection,
        name="bundle_inspection",
    ),
    # 一件事 filed at the window (views_bundle_window.py)
    path("bundles/file/", views_bundle_window.bundle_file_start, name="bundle_file_start"),
    path("bundles/file/<str:code>/", views_bundle_window.bundle_file, name="bundle_file"),
    path("bundles/fill/<str:number>/", views_bundle_window.bundle_fill, name="bundle_fill"),
    path("bundles/<str:number>/", views_bundles.bundle, name="bundle"),
]
