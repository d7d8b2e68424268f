from django.urls import path

from waterportal.inquiries import views

app_name = "inquiries"

urlpatterns = [
    path("inquiries", views.history, name="history"),
    path("inquiries/new", views.new, name="new"),
    path("inquiries/email", views.email, name="email"),
    path("inquiries/code", views.code, name="code"),
    path("inquiries/code/resend", views.resend, name="resend"),
    path("inquiries/done", views.done, name="done"),
    path("inquiries/<int:inquiry_id>", views.detail, name="detail"),
    path("inquiries/t/<str:token>", views.guest_thread, name="guest_thread"),
]
