from django.urls import path

from onewindow.ratings import views_applicant as a
from onewindow.ratings import views_staff as s

app_name = "ratings"

urlpatterns = [
    # the applicant (portal)
    path("ratings/cases/<str:number>/", a.rate, name="rate"),
    path("ratings/r/<str:token>/", a.link, name="link"),
    path("ratings/kiosk/", a.kiosk, name="kiosk"),
    path("ratings/mine/", a.my_ratings, name="my_ratings"),
    path("ratings/visits/", a.my_visits, name="my_visits"),
    path("ratings/visits/<int:pk>/", a.rate_visit, name="rate_visit"),
    path("complaints/new/", a.complaint_new, name="complaint_new"),
    path("complaints/mine/", a.my_complaints, name="my_complaints"),
    path("complaints/mine/<int:pk>/", a.my_complaint, name="my_complaint"),
    # staff (back office)
    path("backoffice/ratings/device/", s.device, name="device"),
    path("backoffice/ratings/device/<int:pk>/", s.device_rate, name="device_rate"),
    path("backoffice/ratings/rectifications/", s.rectifications, name="rectifications"),
    path("backoffice/ratings/rectifications/<int:pk>/", s.rectification, name="rectification"),
    path("backoffice/ratings/complaints/", s.complaints, name="complaints"),
    path("backoffice/ratings/complaints/<int:pk>/", s.complaint, name="complaint"),
    path("backoffice/ratings/board/", s.board, name="board"),
]
