from django.contrib.auth import views as auth_views
from django.urls import path

from onewindow.org import views

app_name = "org"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="portal:home"), name="logout"),
    path("register/", views.register, name="register"),
    path("register/legal/", views.register, {"kind": "legal"}, name="register_legal"),
]
