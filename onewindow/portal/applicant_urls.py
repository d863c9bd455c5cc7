"""URLs of the applicant's screens (namespace ``portal``, included by portal/urls.py)."""

from django.urls import path

from onewindow.portal import applicant_views as views
from onewindow.portal import bundle_case_views as bundle_views

urlpatterns = [
    path("items/<str:code>/apply/", views.apply, name="apply"),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/cases/<str:number>/", views.case_detail, name="case_detail"),
    path("my/cases/<str:number>/edit/", views.case_edit, name="case_edit"),
    path("my/cases/<str:number>/finish/", views.case_finish, name="case_finish"),
    path("my/cases/<str:number>/receipt/", views.case_receipt, name="case_receipt"),
    path("my/cases/<str:number>/withdraw/", views.case_withdraw_view, name="case_withdraw"),
    path("my/cases/<str:number>/result/", views.result_file, name="case_result"),
    path(
        "my/cases/<str:number>/materials/<int:material_id>/",
        views.material_supply,
        name="material_supply",
    ),
    path(
        "my/cases/<str:number>/materials/<int:material_id>/file/",
        views.material_file,
        name="material_file",
    ),
    path(
        "my/cases/<str:number>/notices/<int:notice_id>/pdf/",
        views.notice_pdf,
        name="notice_pdf",
    ),
    path("cases/lookup/", views.case_lookup, name="case_lookup"),
    path("my/notifications/", views.notifications, name="notifications"),
    path(
        "my/notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification_read",
    ),
    path("my/notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    # 一件事一次办: the applicant's bundle cases (bundle_case_views.py)
    path("bundles/<str:code>/apply/", bundle_views.bundle_apply, name="bundle_apply"),
    path("my/bundles/", bundle_views.my_bundle_cases, name="my_bundle_cases"),
    path(
        "my/bundles/<str:number>/",
        bundle_views.bundle_case_detail_view,
        name="bundle_case_detail",
    ),
    path("my/bundles/<str:number>/edit/", bundle_views.bundle_case_edit, name="bundle_case_edit"),
    path(
        "my/bundles/<str:number>/withdraw/",
        bundle_views.bundle_case_withdraw_view,
        name="bundle_case_withdraw",
    ),
    path(
        "my/bundles/<str:number>/drop/<str:case_number>/",
        bundle_views.bundle_member_drop_view,
        name="bundle_member_drop",
    ),
    path(
        "my/bundles/<str:number>/receipt/",
        bundle_views.bundle_case_receipt,
        name="bundle_case_receipt",
    ),
    path(
        "my/bundles/<str:number>/supply/",
        bundle_views.bundle_case_supply,
        name="bundle_case_supply",
    ),
]
