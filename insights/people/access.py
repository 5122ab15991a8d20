"""Who may do what: roles from ``INSIGHTS_APP_ROLES``, checked where changes are written.

Roles (one per person; the app knows the person from its login)

``viewer``
    reads every page, changes nothing.
``lead`` with regions (``lead:TH|VN``; ``lead:*`` = every region)
    tags (tags, owner, status, tracker link, note), titles, merges and splits the themes of
    those regions.
``admin``
    everything a ``lead:*`` may do, plus marks fixes shipped (``fix``), manages alert
    subscriptions (``subscribe``) and edits the category map (``categorise``: a category's
    title, a theme moved between categories; categories span every region, so no lead's).

``INSIGHTS_APP_ROLES`` lists ``person=role`` pairs, e.g.
``ana@shop.co=lead:TH|VN,boss@shop.co=admin,*=viewer`` (people compared without case; ``*``
is everyone not listed). A person not listed, with no ``*`` entry, is a ``viewer``: once a
login exists, editing is granted, never assumed.

Without any login (no ``INSIGHTS_APP_PASSWORD``, no OIDC ``[auth]`` secrets) there is nobody to
give a role to: the app is a single-user laptop demo and everyone is an :func:`open_person`
(may do everything, name typed in the sidebar), as before roles existed. ``insights app`` refuses to
serve beyond loopback in that state unless ``--insecure`` is given.

What "a theme of a region" means
    A theme belongs to the regions of its tickets in the latest run (most themes span several
    regions, so several leads may change them), and also to the region recorded on its
    annotation (``annotate(..., region="TH")``), which a lead sets only to one of their own
    regions. A theme with no region at all is changed only by ``lead:*`` and admins. A merge
    needs the right on both themes, a split on the theme split.

API
    ``allowed(role, action, region=None) -> bool``: may ``role`` do ``action``? ``region``:
    one region, a set of regions (allowed if the role covers any of them; an empty set means
    "no region", which only ``lead:*`` and admins cover), or None ("anywhere": whether to
    show the control at all). Actions: :data:`ACTIONS`.

    ``require(person, action, region=None)``: the same, raising :class:`AccessDenied` with a
    one-line reason: what library functions call before writing.

    ``person.may(action, region=None)``: ``allowed`` for a :class:`Person`'s role.

    ``person_for(settings.app, identity)``: the :class:`Person` a signed-in identity is;
    ``open_person(name)``: the person of an app without a login.

    ``check_theme(session, person, action, theme_id)``: ``require`` for one theme, with its
    regions read in the caller's transaction (``annotate``, ``merge_themes`` and
    ``split_theme`` do this when given a :class:`Person`).

    A plain name (``str``) given to ``annotate`` / ``merge_themes`` / ``split_theme`` instead of
    a :class:`Person` is a trusted caller (the CLI, a script holding the store's URL, which
    could write the store directly anyway); the app always passes a :class:`Person`.

This module imports neither Streamlit nor the app: the app, the CLI and other pages (fixes,
alert subscriptions) share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from insights.jobs.runs import latest_run_id
from insights.settings import APP_ROLES, AppSettings
from insights.store.models import Annotation, Assignment, Ticket

ROLES = APP_ROLES
#: Every action a role can be asked about; leads get LEAD_ACTIONS, admins all of them.
ACTIONS = ("tag", "title", "merge", "split", "fix", "subscribe", "categorise")
LEAD_ACTIONS = frozenset({"tag", "title", "merge", "split"})
ALL_REGIONS = "*"


class AccessDenied(PermissionError):
    """A change the person's role does not allow; one line for the user, nothing written."""


@dataclass(frozen=True)
class Role:
    """A role: ``name`` one of :data:`ROLES`; ``regions`` only for a lead (``*`` = all)."""

    name: str
    regions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.name not in ROLES:
            raise ValueError(f"unknown role {self.name!r} (use {', '.join(ROLES)})")
        if self.name == "lead" and not self.regions:
            raise ValueError("a lead needs regions, e.g. lead:TH|VN or lead:*")
        if self.name != "lead" and self.regions:
            raise ValueError(f"only a lead has regions, not a {self.name}")
        object.__setattr__(self, "regions", tuple(r.upper() for r in self.regions))

    def __str__(self) -> str:
        return f"lead:{'|'.join(self.regions)}" if self.name == "lead" else self.name

    @property
    def every_region(self) -> bool:
        return self.name == "admin" or ALL_REGIONS in self.regions

    def covers(self, regions: Iterable[str]) -> bool:
        """Whether this role acts for at least one of `regions` (an empty set: no region,
        covered only by roles over every region)."""
        if self.every_region:
            return True
        mine = set(self.regions)
        return any(str(r).upper() in mine for r in regions)


VIEWER = Role("viewer")
ADMIN = Role("admin")


@dataclass(frozen=True)
class Person:
    """Who is changing something: the name the audit log records and their role.
    ``signed_in`` is False for :data:`OPEN` use (no login configured)."""

    name: str
    role: Role
    signed_in: bool = True

    def may(self, action: str, region: str | Iterable[str] | None = None) -> bool:
        return allowed(self.role, action, region)


def open_person(name: str) -> Person:
    """Someone using an app that has no login (a laptop demo): may do everything, as before
    roles existed; the name is what they typed for the audit log."""
    return Person(name=(name or "").strip(), role=ADMIN, signed_in=False)


def allowed(role: Role, action: str, region: str | Iterable[str] | None = None) -> bool:
    """May `role` do `action` (one of :data:`ACTIONS`) for `region`? See the module docstring
    for what `region` may be. An unknown action is a programming error (ValueError)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})")
    if role.name == "admin":
        return True
    if role.name != "lead" or action not in LEAD_ACTIONS:
        return False
    if region is None:
        return True
    return role.covers([region] if isinstance(region, str) else region)


def require(person: Person, action: str, region: str | Iterable[str] | None = None) -> None:
    """Raise :class:`AccessDenied` unless `person` may do `action` for `region`."""
    if allowed(person.role, action, region):
        return
    if person.role.name == "viewer":
        why = "a viewer changes nothing"
    elif action not in LEAD_ACTIONS:
        why = "only an admin may"
    else:
        theirs = sorted({region} if isinstance(region, str) else set(region or ()))
        why = f"this theme is of {', '.join(theirs) or 'no region'}"
    who = person.name or "you"
    raise AccessDenied(f"{who} ({person.role}) may not {_VERBS[action]}: {why}")


_VERBS = {
    "tag": "tag themes",
    "title": "retitle themes",
    "merge": "merge themes",
    "split": "split themes",
    "fix": "mark fixes shipped",
    "subscribe": "manage alert subscriptions",
    "categorise": "edit categories",
}


def acting(who: str | Person, action: str) -> str:
    """The audit name of `who`; a :class:`Person` must be allowed `action` (anywhere) first,
    a plain name is a trusted caller (see the module docstring)."""
    if isinstance(who, Person):
        require(who, action)
        name = who.name
    else:
        name = who
    return (name or "").strip() or "anonymous"


def person_for(app: AppSettings, identity: str) -> Person:
    """The signed-in `identity` (an OIDC e-mail or name, or the password login's name) with
    the role INSIGHTS_APP_ROLES gives it: its own entry, else ``*``'s, else viewer."""
    name = (identity or "").strip()
    roles = app.roles
    entry = roles.get(name.lower()) or roles.get(ALL_REGIONS)
    return Person(name=name, role=Role(entry[0], entry[1]) if entry else VIEWER)


def theme_regions(session: Session, theme_id: int) -> frozenset[str]:
    """The regions a theme belongs to: those of its tickets in the latest run, plus the
    region recorded on its annotation (upper case)."""
    regions: set[str] = set()
    run_id = latest_run_id(session)
    if run_id is not None:
        rows = session.scalars(
            select(Ticket.region)
            .join(Assignment, Assignment.ticket_id == Ticket.id)
            .where(
                Assignment.run_id == run_id,
                Assignment.theme_id == theme_id,
                Ticket.region.is_not(None),
            )
            .distinct()
        )
        regions.update(str(r).upper() for r in rows if str(r).strip())
    claimed = session.scalar(select(Annotation.region).where(Annotation.theme_id == theme_id))
    if claimed and claimed.strip():
        regions.add(claimed.strip().upper())
    return frozenset(regions)


def check_theme(session: Session, person: Person, action: str, theme_id: int) -> None:
    """:func:`require` for one theme, its regions read in this transaction."""
    require(person, action)  # a viewer is refused before any read
    if person.role.every_region:
        return
    regions = theme_regions(session, theme_id)
    if not allowed(person.role, action, regions):
        require(person, action, regions)  # raises with the reason


def editable_themes(session: Session, role: Role) -> set[int] | None:
    """Themes `role` may tag in the latest run: None means every theme (admin, ``lead:*``),
    an empty set none (viewer). For the app's pickers; writes check again."""
    if role.every_region and allowed(role, "tag"):
        return None
    if not allowed(role, "tag"):
        return set()
    mine = sorted(role.regions)
    out: set[int] = set()
    run_id = latest_run_id(session)
    if run_id is not None:
        rows = session.scalars(
            select(Assignment.theme_id)
            .join(Ticket, Assignment.ticket_id == Ticket.id)
            .where(
                Assignment.run_id == run_id,
                Assignment.theme_id.is_not(None),
                func.upper(Ticket.region).in_(mine),
            )
            .distinct()
        )
        out.update(int(t) for t in rows)
    claimed = select(Annotation.theme_id).where(func.upper(func.trim(Annotation.region)).in_(mine))
    out.update(int(t) for t in session.scalars(claimed))
    return out
