"""Splitting a mixed theme: a person moves some of its tickets to a new theme with its own id.

Two ways to choose the tickets: picked by hand (:func:`split_theme`), or proposed by
sub-clustering the theme's cached embeddings (:func:`propose_split`, KMeans with two clusters or
HDBSCAN) and then applied with :func:`split_theme`. Proposal and write are separate so the app can
show the two halves before anyone commits to them.

The split is written into the latest run, in one transaction, like a run would have found it: the
new theme gets a snapshot (size, centroid, keywords, representatives) and the moved tickets'
assignments, the parent's snapshot is recomputed, a `split` lifecycle event links the two, and an
audit entry on each theme records who did it. Because the new theme has a centroid and members in
the latest run, the next full refresh tracks it like any other theme: the id survives.

A :class:`~insights.people.access.Person` splitting needs the right to split the theme (checked
in the write transaction); a plain name is a trusted caller, as in insights.people.annotate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine, select, update

from insights.jobs.runs import latest_full_run, latest_run_id, load_fit_state
from insights.people.access import Person, check_theme, require
from insights.people.annotate import audit, name_of, resolve_theme
from insights.store.db import session_scope
from insights.store.models import (
    Assignment,
    Theme,
    ThemeEvent,
    ThemeSnapshot,
    Ticket,
)

METHODS = ("kmeans", "hdbscan")
_CHUNK = 900


class SplitError(ValueError):
    """A split that cannot be made; one line for the user."""


@dataclass
class Members:
    """A theme's tickets in the latest run, in ticket id order."""

    run_id: int
    theme_id: int
    ticket_ids: np.ndarray
    hashes: list[str]
    languages: list[str]
    texts: list[str]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _members(engine: Engine, theme_id: int) -> Members:
    with session_scope(engine) as session:
        run_id = latest_run_id(session)
        if run_id is None:
            raise SplitError("no themes yet: run `insights refresh` first")
        if session.get(Theme, theme_id) is None:
            raise SplitError(f"no theme with id {theme_id}")
        if resolve_theme(session, theme_id) != theme_id:
            raise SplitError(f"theme {theme_id} was merged into another theme; split that one")
        rows = session.execute(
            select(Ticket.id, Ticket.content_hash, Ticket.language, Ticket.text)
            .join(Assignment, Assignment.ticket_id == Ticket.id)
            .where(Assignment.run_id == run_id, Assignment.theme_id == theme_id)
            .order_by(Ticket.id)
        ).all()
    return Members(
        run_id,
        theme_id,
        np.array([r[0] for r in rows], dtype=np.int64),
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
    )


def _centred_vectors(engine: Engine, members: Members) -> np.ndarray | None:
    """The members' vectors in the space the run clustered in (language-centred, normalised);
    None when the embeddings are not cached (e.g. a store built without embedding)."""
    from insights.embed.cache import load_vectors
    from insights.themes.discover import GLOBAL, DiscoveryParams, FitState, center, centering_groups

    with session_scope(engine) as session:
        run = latest_full_run(session)
        if run is None:
            return None
        # a run without a stored fit state (written by hand, or before they were stored):
        # centre with the members' own mean
        state = load_fit_state(session, run.id) or FitState(DiscoveryParams(), {}, 1.0)
    try:
        X = load_vectors(engine, run.model_id, members.hashes)
    except KeyError:
        return None
    if X.size == 0:
        return None
    means = dict(state.language_means)
    if GLOBAL not in means:
        means[GLOBAL] = X.mean(axis=0)
    groups = centering_groups(members.texts, members.languages)
    return center(X, groups, means, state.params.min_language_rows)


def propose_split(
    engine: Engine, theme_id: int, method: str = "kmeans", seed: int = 42
) -> dict[int, int]:
    """Sub-cluster a theme's tickets: ticket id -> sub-cluster (0 = the largest, which stays;
    -1 = HDBSCAN noise, which also stays). Raises SplitError when it cannot be done."""
    if method not in METHODS:
        raise SplitError(f"method must be one of: {', '.join(METHODS)}")
    members = _members(engine, theme_id)
    if len(members.ticket_ids) < 4:
        raise SplitError(f"theme {theme_id} has too few tickets to sub-cluster")
    Z = _centred_vectors(engine, members)
    if Z is None:
        raise SplitError(
            "the theme's tickets have no cached embeddings: run `insights refresh`, "
            "or split by selecting tickets"
        )
    if method == "kmeans":
        from sklearn.cluster import KMeans

        labels = KMeans(n_clusters=2, n_init=10, random_state=seed).fit_predict(Z)
    else:
        from sklearn.cluster import HDBSCAN

        size = max(3, len(Z) // 20)
        labels = HDBSCAN(min_cluster_size=size, metric="euclidean").fit_predict(Z)
    labels = np.asarray(labels)
    found = [c for c in np.unique(labels) if c >= 0]
    if len(found) < 2:
        raise SplitError("sub-clustering found one group only: nothing to split off")
    # Renumber by size: 0 is the largest (keeps the theme id), then 1, 2, ...
    order = sorted(found, key=lambda c: -int((labels == c).sum()))
    remap = {int(c): i for i, c in enumerate(order)}
    return {
        int(t): remap.get(int(c), -1)
        for t, c in zip(members.ticket_ids.tolist(), labels.tolist(), strict=True)
    }


def _describe(
    texts: Sequence[str], languages: Sequence[str], groups: np.ndarray, k: int
) -> dict[int, dict]:
    """Keywords, title and representatives (indices) per group; empty when labelling fails
    (the split still goes through, with the parent's keywords)."""
    try:
        from insights.themes.label import label_themes

        labels = label_themes(list(texts), list(languages), groups)
    except Exception:  # labelling is a nicety here; a split must not fail on it
        return {}
    out = {}
    for g in range(k):
        lab = labels.get(g)
        if lab is not None:
            out[g] = {
                "title": lab.title,
                "keywords": {"all": lab.keywords, "by_language": lab.keywords_by_language},
                "representatives": {
                    lang: [int(i) for i in idx] for lang, idx in lab.representatives.items()
                },
            }
    return out


def split_theme(
    engine: Engine,
    theme_id: int,
    ticket_ids: Iterable[int] | dict[int, int],
    who: str | Person,
    title: str | None = None,
) -> list[int]:
    """Move tickets of `theme_id` to new theme(s); returns the new theme ids.

    `ticket_ids`: the tickets to split off (one new theme), or a proposal from
    :func:`propose_split` (one new theme per group >= 1). Everything in one transaction: on any
    error nothing is written.
    """
    if isinstance(who, Person):  # a viewer is refused before any work
        require(who, "split")
    name = name_of(who)
    members = _members(engine, theme_id)
    position = {int(t): i for i, t in enumerate(members.ticket_ids.tolist())}
    groups = np.zeros(len(position), dtype=np.int64)
    if isinstance(ticket_ids, dict):
        for t, g in ticket_ids.items():
            if int(t) in position and g > 0:
                groups[position[int(t)]] = int(g)
    else:
        chosen = {int(t) for t in ticket_ids}
        foreign = chosen - set(position)
        if foreign:
            raise SplitError(
                f"{len(foreign)} selected ticket(s) are not in theme {theme_id} any more"
            )
        for t in chosen:
            groups[position[t]] = 1
    k = int(groups.max()) + 1 if len(groups) else 1
    if k < 2:
        raise SplitError("select at least one ticket to split off")
    if (groups == 0).sum() == 0:
        raise SplitError("a split must leave some tickets in the original theme")
    if title is not None and not title.strip():
        title = None

    Z = _centred_vectors(engine, members)
    described = _describe(members.texts, members.languages, groups, k)
    now = _now()
    new_ids: list[int] = []
    with session_scope(engine) as session:
        if isinstance(who, Person):
            check_theme(session, who, "split", theme_id)
        if latest_run_id(session) != members.run_id:
            raise SplitError("a refresh finished meanwhile: reload the page and split again")
        run_id = members.run_id
        parent_snap = session.get(ThemeSnapshot, (run_id, theme_id))
        if parent_snap is None:
            raise SplitError(f"theme {theme_id} is not in the latest run")
        # Confirm nobody moved these tickets since they were read (a concurrent merge or split).
        still = set(
            session.scalars(
                select(Assignment.ticket_id).where(
                    Assignment.run_id == run_id, Assignment.theme_id == theme_id
                )
            )
        )
        if still != set(position):
            raise SplitError("the theme changed meanwhile: reload the page and split again")
        parent = session.get(Theme, theme_id)
        parent_title = parent.title or parent.label
        for g in range(k):
            rows = np.flatnonzero(groups == g)
            ids = members.ticket_ids[rows]
            if g > 0:
                label = described.get(g, {}).get("title") or f"split of {parent_title}"
                theme = Theme(
                    label=label,
                    title=title if k == 2 else None,
                    status="active",
                    created_run_id=run_id,
                    last_run_id=run_id,
                )
                session.add(theme)
                session.flush()
                tid = theme.id
                new_ids.append(tid)
                for start in range(0, len(ids), _CHUNK):
                    part = [int(x) for x in ids[start : start + _CHUNK]]
                    session.execute(
                        update(Assignment)
                        .where(
                            Assignment.run_id == run_id,
                            Assignment.ticket_id.in_(part),
                            Assignment.theme_id == theme_id,
                        )
                        .values(theme_id=tid, method="split")
                    )
            else:
                tid = theme_id
            if Z is not None:
                c = Z[rows].astype(np.float64).sum(axis=0)
                centroid = (c / max(np.linalg.norm(c), 1e-12)).astype(np.float32).tobytes()
            else:
                centroid = parent_snap.centroid
            langs, counts = np.unique(np.asarray(members.languages)[rows], return_counts=True)
            info = described.get(g)
            keywords = info["keywords"] if info else parent_snap.keywords
            reps = (
                {
                    lang: [int(members.ticket_ids[i]) for i in idx]
                    for lang, idx in info["representatives"].items()
                }
                if info
                else {
                    lang: [i for i in v if int(i) in set(ids.tolist())]
                    for lang, v in (parent_snap.representatives or {}).items()
                }
            )
            values = {
                "size": len(rows),
                "centroid": centroid,
                "keywords": keywords,
                "representatives": reps,
                "languages": {str(a): int(b) for a, b in zip(langs, counts, strict=True)},
            }
            if g == 0:
                before = {"size": parent_snap.size}
                for key, value in values.items():
                    setattr(parent_snap, key, value)
            else:
                session.add(ThemeSnapshot(run_id=run_id, theme_id=tid, **values))
                session.add(
                    ThemeEvent(
                        run_id=run_id,
                        theme_id=theme_id,
                        event="split",
                        related_theme_id=tid,
                        created_at=now,
                    )
                )
                audit(
                    session,
                    name,
                    tid,
                    "split",
                    before={"from_theme": theme_id},
                    after={"theme_id": tid, "tickets": len(rows), "title": title or label},
                    at=now,
                )
        audit(
            session,
            name,
            theme_id,
            "split",
            before=before,
            after={"size": int((groups == 0).sum()), "split_off": new_ids},
            at=now,
        )
    return new_ids
