"""System checks of the deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def redis_bounded(app_configs=None, **kwargs):
    """Redis holds the page cache: without `maxmemory` and an eviction policy, a crowd asking for
    pages never asked before grows it until the machine runs out of memory (README: Redis)."""
    if not settings.REDIS_URL:
        return []
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        config = client.config_get("maxmemory*")
    except redis.RedisError as error:
        return [
            checks.Warning(
                f"Redis's maxmemory and eviction policy could not be read ({error}).",
                hint="Set maxmemory and maxmemory-policy allkeys-lru on the Redis server (README: Redis).",
                id="communs.W002",
            )
        ]
    maxmemory = int(config.get("maxmemory") or config.get(b"maxmemory") or 0)
    policy = config.get("maxmemory-policy") or config.get(b"maxmemory-policy") or b""
    policy = policy.decode() if isinstance(policy, bytes) else policy
    if maxmemory == 0 or policy == "noeviction":
        return [
            checks.Warning(
                f"Redis is not bounded: maxmemory {maxmemory or 'unset'}, maxmemory-policy {policy or 'unset'}.",
                hint=(
                    "The page cache can grow without end: set for instance `maxmemory 256mb` and "
                    "`maxmemory-policy allkeys-lru` (README: Redis)."
                ),
                id="communs.W001",
            )
        ]
    return []
