"""The README documents every INSIGHTS_* setting the code reads."""

from __future__ import annotations

from insights.settings import ENV_VARS
from tests.conftest import REPO


def test_every_setting_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name in ENV_VARS if f"`{name}`" not in readme]
    assert missing == []
    for command in ("make demo", "make test"):
        assert command in readme
