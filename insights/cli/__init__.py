"""The one `insights` command line: the library's commands (`main`) and the commands that run
Prefect flows (`flows`, which imports Prefect only when one of them runs)."""


def main() -> None:
    from insights.cli.flows import app

    app()
