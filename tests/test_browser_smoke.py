"""The home page in a real browser: it loads, and axe finds nothing serious."""

import pytest

from tests.browser import axe_violations, describe

pytestmark = pytest.mark.browser


def test_the_home_page_has_no_serious_accessibility_violations(live_server, page):
    response = page.goto(live_server.url + "/")

    assert response is not None and response.status == 200
    violations = axe_violations(page)
    assert violations == [], describe(violations)
