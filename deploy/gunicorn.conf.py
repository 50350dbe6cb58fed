"""gunicorn settings for one minefree app server (``gunicorn -c deploy/gunicorn.conf.py``).

Each server listens on loopback behind nginx; ``MINEFREE_BIND`` and ``MINEFREE_WEB_WORKERS``
set the address and the number of processes (about 2 per core). Requests that take longer
than the timeout are cut off and logged; workers are renewed now and then so that memory
stays bounded over weeks of uptime.
"""

import os

wsgi_app = "minefree.wsgi:application"
bind = os.environ.get("MINEFREE_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("MINEFREE_WEB_WORKERS", "2"))
worker_class = "sync"
timeout = int(os.environ.get("MINEFREE_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# renewing a worker briefly leaves its server one process short: at the rehearsal's
# thousands of requests a second, renewals every 5,000 requests were what the rehearsal's
# slowest requests waited for; 50,000 is still hours at the ISU's busiest
max_requests = 50000
max_requests_jitter = 5000
# the app is imported once, in the master: a renewed worker is a fork, ready at once,
# not a fresh import of Django while its requests wait
# (nothing connects to a database or cache at import; every connection opens in the worker)
preload_app = True
# nginx on the same machine sets X-Forwarded-Proto; trust it from loopback only
forwarded_allow_ips = "127.0.0.1"
accesslog = os.environ.get("MINEFREE_ACCESS_LOG") or None
errorlog = "-"
proc_name = os.environ.get("MINEFREE_PROCESS_NAME", "minefree-web")
