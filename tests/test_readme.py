"""The README documents every setting, in the table generated from the Settings model."""

from __future__ import annotations

from insights.settings import settings_rows, settings_table
from tests.conftest import REPO


def test_the_settings_table_is_generated_from_the_model():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, (
        "README settings table is stale: replace it with `python -m insights.settings`"
    )
    names = [name for _, name, _, _ in settings_rows()]
    assert len(names) == len(set(names))
    for command in ("make demo", "make test"):
        assert command in readme
