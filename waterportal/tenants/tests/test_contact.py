"""The municipality's contact lines at the foot of every resident page."""

from waterportal.tenants.actions import do_create_tenant


def test_the_phone_number_can_be_tapped_to_call(portal):
    page = portal.get("/login").content.decode()
    assert '<a class="text-link" href="tel:0120000111">電話 0120-000-111</a>' in page
    assert "建設水道課 水道係" in page


def test_a_number_typed_in_full_width_still_calls(db, client):
    do_create_tenant(slug="minami", name="みなみ村", phone="０１２０（２２２）３３３")
    page = client.get("/login?tenant=minami").content.decode()
    assert 'href="tel:0120222333"' in page


def test_a_town_without_a_phone_number_shows_no_call_link(db, client):
    do_create_tenant(slug="nishi", name="にし町", department="上下水道課")
    page = client.get("/login?tenant=nishi").content.decode()
    assert "上下水道課" in page and "tel:" not in page
