app_name = "outages"
urlpatterns: list = []
