"""The fault suite runs with `make faults` (FAULTS=1): it starts its own PostgreSQL, Redis, mail
server, robot and the portal's processes, and takes about twenty minutes, so a plain `make test`
does not collect test_faults.py. The part that fits in CI's time runs in every `make test`:
test_in_ci.py here (a killed worker and a robot's rate limit, about a minute and a half), and the
Redis restart under a running worker, tests/reporting/test_worker_survives_redis.py."""

import os

from tests.incidents.conftest import categories  # noqa: F401  (shared fixture, for test_in_ci.py)

collect_ignore_glob = [] if os.environ.get("FAULTS") else ["test_faults.py"]
