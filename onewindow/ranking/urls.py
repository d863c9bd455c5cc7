from django.urls import path

from onewindow.ranking import views_manage, views_public

app_name = "ranking"

urlpatterns = [
    path("", views_public.index, name="index"),
    path("<int:round_id>/vote/", views_public.vote, name="vote"),
    path("<int:round_id>/thanks/", views_public.thanks, name="thanks"),
    path("<int:round_id>/results/", views_public.results, name="results"),
    path("manage/", views_manage.rounds, name="manage"),
    path("manage/new/", views_manage.create, name="manage_create"),
    path("manage/<int:round_id>/", views_manage.round_detail, name="manage_round"),
    path(
        "manage/<int:round_id>/follow-ups/",
        views_manage.follow_up_create,
        name="manage_follow_up_create",
    ),
    path("manage/<int:round_id>/<str:action>/", views_manage.round_action, name="manage_action"),
    path("follow-ups/", views_manage.follow_ups, name="follow_ups"),
    path(
        "follow-ups/<int:follow_up_id>/<str:action>/",
        views_manage.follow_up_action,
        name="follow_up_action",
    ),
]
