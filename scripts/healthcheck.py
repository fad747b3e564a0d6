"""Container health checks for Docker and docker-compose, standard library only where possible.

    python scripts/healthcheck.py web      GET /healthz on this container's gunicorn: 200 or bust
    python scripts/healthcheck.py broker   the Celery broker (REDIS_URL) accepts a connection

The web check sends the Host header of the first ALLOWED_HOSTS entry and, when HTTPS=true, the
X-Forwarded-Proto header a TLS-terminating proxy would send; otherwise Django would answer 400
(unknown host) or 301 (redirect to HTTPS) instead of running the check.
"""

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 5


def _first_allowed_host() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def web() -> bool:
    port = os.environ.get("PORT", "8000")
    headers = {"Host": _first_allowed_host()}
    if os.environ.get("HTTPS", "").strip().lower() in {"1", "true", "yes", "on"}:
        headers["X-Forwarded-Proto"] = "https"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read().decode(errors="replace")
            ok = response.status == 200
    except urllib.error.HTTPError as exc:
        body = exc.read().decode(errors="replace")
        ok = False
    except OSError as exc:
        body = f"{type(exc).__name__}: {exc}"
        ok = False
    print(body)
    return ok


def broker() -> bool:
    from kombu import Connection

    url = os.environ.get("REDIS_URL", "")
    if not url:
        print("REDIS_URL is not set")
        return False
    try:
        with Connection(url, connect_timeout=TIMEOUT_SECONDS) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=TIMEOUT_SECONDS)
    except Exception as exc:
        print(f"broker: error: {type(exc).__name__}")
        return False
    print("broker: ok")
    return True


if __name__ == "__main__":
    checks = {"web": web, "broker": broker}
    if len(sys.argv) != 2 or sys.argv[1] not in checks:
        sys.exit(f"usage: python {sys.argv[0]} {{{'|'.join(checks)}}}")
    sys.exit(0 if checks[sys.argv[1]]() else 1)
