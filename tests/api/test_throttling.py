"""Rate limits: anonymous clients by address, tokens by user; 429 with Retry-After."""

import pytest
from django.core.cache import cache

from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }


def statuses(client, count, url="/api/v1/sectors/", **extra):
    return [client.get(url, **extra).status_code for _ in range(count)]


def test_anonymous_clients_are_limited_per_address(api, low_rates):
    assert statuses(api, 4) == [200, 200, 200, 429]
    # Another address has its own allowance.
    assert statuses(api, 1, REMOTE_ADDR="192.0.2.7") == [200]


def test_the_limit_counts_every_endpoint_together(api, low_rates):
    assert api.get("/api/v1/sectors/").status_code == 200
    assert api.get("/api/v1/tags/").status_code == 200
    assert api.get("/api/v1/initiatives/").status_code == 200
    response = api.get("/api/v1/actors/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


def test_tokens_have_their_own_higher_limit_per_user(api, low_rates, curator, no_rights_user):
    assert statuses(api, 4)[-1] == 429  # the address is spent for anonymous requests …
    first, second = token_client(curator), token_client(no_rights_user)
    assert statuses(first, 6) == [200] * 5 + [429]  # … not for a token
    assert statuses(second, 1) == [200]  # each user has their own bucket


def test_an_anonymous_request_is_counted_once_under_the_anonymous_limit_alone(api, settings):
    cache.clear()
    # A user rate below the anonymous one: an anonymous request also counted under it (by address,
    # as DRF's UserRateThrottle does) would be refused at the third.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/minute", "user": "2/minute"},
    }
    responses = [api.get("/api/v1/sectors/") for _ in range(6)]
    assert [response.status_code for response in responses] == [200] * 5 + [429]
    assert responses[1]["X-Cache"] == "hit"  # the page cache's answers count too, once each
    assert statuses(api, 1, url="/api/v1/tags/") == [429]


def test_a_token_is_held_to_the_user_rate_alone(api, settings, curator):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/minute", "user": "2/minute"},
    }
    assert statuses(token_client(curator), 3) == [200, 200, 429]
    assert statuses(api, 6) == [200] * 5 + [429]  # the address's anonymous allowance was left whole


def test_a_request_that_read_the_clock_first_but_counts_last_still_sees_the_others(api, low_rates, monkeypatch):
    from communs.rest.backends import AnonThrottle

    # 3 a minute, slices of 6 s. The fourth request read the clock at 5.9 s, before the three others
    # (6.1 s, the next slice) counted themselves: it is the fourth all the same, and refused.
    times = iter([6.1, 6.1, 6.1, 5.9])
    monkeypatch.setattr(AnonThrottle, "timer", lambda self: next(times))
    urls = ["/api/v1/sectors/", "/api/v1/tags/", "/api/v1/initiatives/", "/api/v1/actors/"]
    assert [api.get(url).status_code for url in urls] == [200, 200, 200, 429]


def test_each_request_makes_one_count(api, low_rates, curator, monkeypatch):
    from communs.rest import backends

    counted, real = [], backends.count_in_window

    def count_in_window(store, key, *rest):
        counted.append(key)
        return real(store, key, *rest)

    monkeypatch.setattr(backends, "count_in_window", count_in_window)
    assert api.get("/api/v1/sectors/")["X-Cache"] == "miss"
    assert api.get("/api/v1/sectors/")["X-Cache"] == "hit"
    assert counted == ["throttle_anon_127.0.0.1"] * 2
    counted.clear()
    token_client(curator).get("/api/v1/sectors/")
    assert counted == [f"throttle_user_{curator.pk}"]


def test_the_rates_come_from_the_environment_with_defaults():
    import os
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "communs.settings",
        "SECRET_KEY": "x",
        "API_THROTTLE_ANON": "7/hour",
        "API_THROTTLE_USER": "70/hour",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'anon': '7/hour'" in out and "'user': '70/hour'" in out
    env.pop("API_THROTTLE_ANON"), env.pop("API_THROTTLE_USER")
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'anon': '120/minute'" in out and "'user': '1200/minute'" in out
