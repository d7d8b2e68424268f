from waterportal.lib.version import __version__


def version(request) -> dict[str, str]:
    """``portal_version``, for the staff console's footer: a support call can then say
    which release the town runs."""
    return {"portal_version": __version__}
