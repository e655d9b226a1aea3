"""Letters and MOU files of the security tests' world go to the test's own private storage."""

import pytest

from tests.applications.acceptance_helpers import private_letters  # noqa: F401 (fixture)
from tests.mou.review_helpers import private_mou  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _private_storage(private_letters, private_mou):  # noqa: F811
    return None
