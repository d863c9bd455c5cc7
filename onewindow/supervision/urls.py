from django.urls import path

from onewindow.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.board, name="board"),
    path("department/", views.department_board, name="department"),
]
