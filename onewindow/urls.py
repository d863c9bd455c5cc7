from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from onewindow.api import api
from onewindow.common.views import healthz

admin.site.site_header = "一窗通 政务服务平台管理"
admin.site.site_title = "一窗通管理"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("onewindow.org.urls")),
    path("backoffice/supervision/", include("onewindow.supervision.urls")),
    path("backoffice/", include("onewindow.backoffice.urls")),
    path("ranking/", include("onewindow.ranking.urls")),
    path("supervision/reports/", include("onewindow.supervision.reports.urls")),
    path("", include("onewindow.licences.urls")),
    path("", include("onewindow.ratings.urls")),
    path("", include("onewindow.portal.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
