from django.urls import path

from waterportal.notices import views

app_name = "notices"

urlpatterns = [
    path("notices", views.notice_list, name="list"),
    path("notices/feed.atom", views.feed, name="feed"),
    path("notices/<int:notice_id>", views.notice_detail, name="detail"),
]
