from tests.incidents.conftest import categories, file_incident, to_state  # noqa: F401  (shared fixtures)
