from django.urls import path

from getelec.connection import views

urlpatterns = [
    path("", views.home, name="home"),
]
