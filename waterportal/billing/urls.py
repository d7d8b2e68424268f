import datetime as dt

from django.urls import path, register_converter

from waterportal.billing import views


class BillingMonthConverter:
    """A billing month in an address: 2026-11 ↔ date(2026, 11, 1)."""

    regex = r"[0-9]{4}-(?:0[1-9]|1[0-2])"

    def to_python(self, value: str) -> dt.date:
        year, month = value.split("-")
        return dt.date(int(year), int(month), 1)

    def to_url(self, value: dt.date) -> str:
        return f"{value.year:04d}-{value.month:02d}"


register_converter(BillingMonthConverter, "month")

app_name = "billing"

urlpatterns = [
    path("", views.home, name="home"),
    path("history", views.usage, name="usage"),
    path("contracts/<int:link_id>/history", views.history, name="history"),
    path("contracts/<int:link_id>/history.csv", views.history_csv, name="history_csv"),
    path("contracts/<int:link_id>/bills/<month:month>", views.bill, name="bill"),
    path("contracts/<int:link_id>/bills/<month:month>.pdf", views.statement, name="statement"),
]
