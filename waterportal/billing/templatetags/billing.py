"""Template filters for figures: {{ bill.amount|yen }}, {{ bill.due_date|jdate }}."""

from django import template

from waterportal.billing import formatting

register = template.Library()

register.filter("yen", formatting.yen)
register.filter("m3", formatting.m3)
# Named for the Japanese they show by default; each follows the page's language.
register.filter("jmonth", formatting.month)
register.filter("month_slug", formatting.month_slug)


@register.filter
def jdate(day, arg=""):
    return formatting.date(day, weekday=arg == "weekday")


@register.filter
def reading(value: int) -> str:
    return f"{value:,}"


# Any other whole number on a page, e.g. the litres a day: 3097 → 3,097.
register.filter("number", reading)
