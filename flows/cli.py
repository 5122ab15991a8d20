"""The `insights` console script: the library's commands plus those that need Prefect.

Kept in flows/ so that the insights package itself never imports Prefect.
"""

from __future__ import annotations

from insights.cli import app


def main() -> None:
    app()


if __name__ == "__main__":
    main()
