"""The portal's version, in this one place: pyproject.toml reads it, /readyz and the staff
console's footer show it, Sentry's events carry it. CHANGELOG.md says what each one has."""

__version__ = "0.2.0"
