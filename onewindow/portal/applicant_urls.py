"""URLs of the applicant's screens (namespace ``portal``, included by portal/urls.py)."""

from django.urls import path

from onewindow.portal import applicant_apply_views as apply_views
from onewindow.portal import applicant_case_views as case_views
from onewindow.portal import applicant_download_views as downloads
from onewindow.portal import applicant_message_views as message_views
from onewindow.portal import bundle_case_views as bundle_views

urlpatterns = [
    path("items/<str:code>/apply/", apply_views.apply, name="apply"),
    path("my/cases/", case_views.my_cases, name="my_cases"),
    path("my/cases/<str:number>/", case_views.case_detail, name="case_detail"),
    path("my/cases/<str:number>/edit/", apply_views.case_edit, name="case_edit"),
    path("my/cases/<str:number>/finish/", case_views.case_finish, name="case_finish"),
    path("my/cases/<str:number>/receipt/", case_views.case_receipt, name="case_receipt"),
    path("my/cases/<str:number>/withdraw/", case_views.case_withdraw_view, name="case_withdraw"),
    path("my/cases/<str:number>/result/", downloads.result_file, name="case_result"),
    path(
        "my/cases/<str:number>/materials/<int:material_id>/",
        case_views.material_supply,
        name="material_supply",
    ),
    path(
        "my/cases/<str:number>/materials/<int:material_id>/file/",
        downloads.material_file,
        name="material_file",
    ),
    path(
        "my/cases/<str:number>/notices/<int:notice_id>/pdf/",
        downloads.notice_pdf,
        name="notice_pdf",
    ),
    path("cases/lookup/", case_views.case_lookup, name="case_lookup"),
    path("my/notifications/", message_views.notifications, name="notifications"),
    path(
        "my/notifications/<int:notification_id>/read/",
        message_views.notification_read,
        name="notification_read",
    ),
    path(
        "my/notifications/read-all/",
        message_views.notifications_read_all,
        name="notifications_read_all",
    ),
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
