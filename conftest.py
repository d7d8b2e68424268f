"""The suite's fixtures live in waterportal.testing.fixtures, its helpers in
waterportal.testing: two municipalities with people in each."""

pytest_plugins = ["waterportal.testing.fixtures"]
