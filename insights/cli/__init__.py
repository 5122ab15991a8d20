"""The `insights` command line; the entry point is insights.cli.main:main."""
