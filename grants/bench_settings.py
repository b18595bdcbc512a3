"""Settings for the load test only: the application plus the floor pages (grants.bench_urls)."""

from grants.settings import *  # noqa: F403

ROOT_URLCONF = "grants.bench_urls"
