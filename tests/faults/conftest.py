"""The fault suite runs with `make faults` (FAULTS=1): it starts its own PostgreSQL, Redis, mail
server, robot and the portal's processes, and takes about twenty minutes, so a plain
`make test` does not collect it. (The Redis restart under a running worker, the part that fits in
CI's time, runs in every `make test`: tests/reporting/test_worker_survives_redis.py.)"""

import os

collect_ignore_glob = [] if os.environ.get("FAULTS") else ["test_*.py"]
