"""`insights categories`: the map above the themes, and a person's renames and moves.

`insights categories [--format]` lists them; `rename`, `move` and `unpin` are the edits the app's
category page makes, audited under `--by` (default: the login name of the shell)."""

from __future__ import annotations

from typing import Annotated

import typer

from insights.cli.common import (
    ByOption,
    DbOption,
    app,
    check_format,
    emit,
    fail,
    open_store,
    out,
    who_by,
)

categories_app = typer.Typer(
    help="Categories over themes: list them (default), rename one, move a theme.",
    invoke_without_command=True,
)
app.add_typer(categories_app, name="categories")

CATEGORY_TABLE = ("category_id", "title", "volume", "n_themes", "theme_ids", "parent_id")


@categories_app.callback()
def categories(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    db: DbOption = None,
) -> None:
    """List the categories, largest first (sub-categories after their parents' level)."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = db
        return
    from insights.jobs.categories import ensure_categories
    from insights.views.categories import current_categories

    check_format(fmt)
    _, engine = open_store(db)
    ensure_categories(engine)
    cats = current_categories(engine)
    rows = (
        [c.to_json() for c in cats]
        if fmt == "json"
        else [{**c.to_json(), "n_themes": len(c.theme_ids), "theme_ids": c.theme_ids} for c in cats]
    )
    emit(
        fmt,
        rows,
        CATEGORY_TABLE,
        "Categories (latest run)",
        "No categories yet: run `insights ingest FILE` and `insights refresh`.",
    )


def _store(ctx: typer.Context, db: str | None):
    _, engine = open_store(db or ctx.obj)
    return engine


@categories_app.command()
def rename(
    ctx: typer.Context,
    category_id: Annotated[int, typer.Argument(help="the category's id")],
    title: Annotated[str, typer.Argument(help="the new title ('' gives the machine's back)")],
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Give a category a title; it survives every refresh."""
    from insights.people.annotate import AnnotationError
    from insights.people.categories import rename_category

    engine = _store(ctx, db)
    try:
        shown = rename_category(engine, category_id, title or None, who_by(by))
    except AnnotationError as exc:  # CategoryError, or a busy store
        raise fail(str(exc)) from None
    out.print(f"category {category_id} is now titled {shown!r}")


@categories_app.command()
def move(
    ctx: typer.Context,
    theme_id: Annotated[int, typer.Argument(help="the theme to move")],
    category_id: Annotated[
        int | None, typer.Argument(help="the category to move it to (omit with --new)")
    ] = None,
    new: Annotated[
        str | None, typer.Option("--new", help="move it to a new category with this title")
    ] = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Move a theme to another category (or a new one); it stays there on every refresh."""
    from insights.people.annotate import AnnotationError
    from insights.people.categories import move_theme

    if (category_id is None) == (new is None):
        raise fail("give a CATEGORY_ID or --new TITLE (one of them)")
    engine = _store(ctx, db)
    try:
        cid = move_theme(engine, theme_id, category_id, who_by(by), new_title=new)
    except AnnotationError as exc:  # CategoryError, or a busy store
        raise fail(str(exc)) from None
    out.print(f"theme {theme_id} is in category {cid}")


@categories_app.command()
def unpin(
    ctx: typer.Context,
    theme_id: Annotated[int, typer.Argument(help="the theme a person moved")],
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Undo a move: the next refresh places the theme by its content again."""
    from insights.people.categories import unpin_theme

    engine = _store(ctx, db)
    done = unpin_theme(engine, theme_id, who_by(by))
    out.print(
        f"theme {theme_id} is placed by the grouping from the next refresh"
        if done
        else f"theme {theme_id} was not moved by a person: nothing to undo"
    )
