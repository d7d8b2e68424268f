"""The console menu's count of 未対応 inquiries."""

from django import template

from waterportal.inquiries.models import Inquiry, Status

register = template.Library()


@register.simple_tag
def new_inquiries(tenant) -> int:
    if tenant is None:
        return 0
    return Inquiry.objects.filter(tenant=tenant, status=Status.NEW).count()
