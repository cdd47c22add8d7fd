from __future__ import annotations

import pytest

from e2e.server import SiteProcess


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A real uvicorn process serving a freshly migrated and seeded site."""
    site = SiteProcess.create(tmp_path_factory.mktemp("site"))
    site.start()
    yield site
    site.stop()
