"""What to tell a resident whose code mail does not arrive: the address it comes from and
its domain, to allow through a phone carrier's filter (``{% load mail_help %}``)."""

from django import template

from waterportal import emails

register = template.Library()


@register.inclusion_tag("includes/mail_filters.html")
def mail_filter_help() -> dict[str, str]:
    # Every town's mail leaves from the portal's one sender (DEFAULT_FROM_EMAIL): a town
    # has no sender of its own to name here.
    return {"address": emails.sender_address(), "domain": emails.sender_domain()}
