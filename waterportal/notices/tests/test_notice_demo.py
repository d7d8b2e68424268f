"""The demo town's notices: a public outage notice and an important charge notice."""

from waterportal.notices import demo
from waterportal.notices.models import Notice


def test_the_demo_has_a_public_outage_notice_and_an_important_charge_notice(portal, tenant, clock):
    demo.seed(tenant)
    outage = Notice.objects.get(tenant=tenant, category__name="断水・濁水")
    charges = Notice.objects.get(tenant=tenant, category__name="料金")
    assert (outage.audience, outage.important, outage.status) == ("public", False, "published")
    assert (charges.audience, charges.important, charges.status) == ("members", True, "published")
    page = portal.get("/login").text
    assert "配水管工事に伴う断水のお知らせ（本町）" in page and "水道料金の改定" not in page
