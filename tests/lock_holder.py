"""A process that holds the store's job lock until its stdin closes (or it is killed): the
other side of the job-lock tests. Usage: python -m tests.lock_holder JOB [HEARTBEAT]"""

import sys

from insights.jobs.lock import LockPolicy, job_lock
from insights.settings import load_settings
from insights.store.db import make_engine

settings = load_settings()
engine = make_engine(settings.store.db_url)
policy = LockPolicy.of(settings)
with job_lock(engine, sys.argv[1], policy) as me:
    print(f"held {me.pid}", flush=True)
    sys.stdin.read()
print("released", flush=True)
