"""What every router shares: the town's path, its parameter, the request's source."""

from ninja import Path

from waterportal.lib.sources import client_ip

TOWN = "/towns/{slug}"
SLUG_DESCRIPTION = "自治体の識別子（案内に印刷された tenant= の値。例: oumu）"


def slug_param():
    """The ``slug`` path parameter of every town's operation. The town itself was found
    by the tenant middleware (``request.tenant``), which answers 404 for an unknown one."""
    return Path(..., description=SLUG_DESCRIPTION, max_length=50)


def source(request) -> str:
    """The client's address, for the per-source limits (as on the web)."""
    return client_ip(request)
