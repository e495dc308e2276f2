"""Public pages (no login): a contest and its rounds, a round's leaderboard of people (live over ``/board``),
its unit rankings with charts, the contest's own leaderboard and unit rankings (its rounds added up as the contest
says; no live updates or activity chart), and the entrant's own rank on their result page (``entrant_rank``).

Every page reads what the public sees (live, frozen or the latest published version: ``stores.families``,
and for the contest's board, unit rankings and the chart the same cut of each round: ``cutoffs``), even when an
organiser reads it: organisers see the live data on their own pages. Names come out in the contest's style, and
phone, citizen ID and birth date are never read.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal
from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.i18n import vietnam_day
from contest.leaderboards.keys.cutoffs import FROZEN
from contest.leaderboards.queries.boards import (
    SNAPSHOT_ROWS,
    BoardQuery,
    ContestBoardQuery,
    contest_leaderboard,
    round_leaderboard,
    search_entrants,
)
from contest.leaderboards.queries.units import SORT_KEYS, RankingPage, ranking_page
from contest.leaderboards.reads import standing_disqualification
from contest.leaderboards.runtime import extension
from contest.markup import render as render_markdown
from contest.rounds.content import banner_bytes, home_of, news_page
from contest.rounds.models import Contest, Round
from contest.rounds.queries import contests_page
from contest.units.search import MAX_LIMIT, FoundUnit, UnitSearch, found_unit, search_units
from contest.web import whole_number

bp = Blueprint("leaderboards_pages", __name__)
PAGE_SIZE = SNAPSHOT_ROWS  # the first page is what the live snapshot redraws
CHART_UNITS = 30


@bp.app_template_filter("thousands")
def thousands(value: int | None) -> str:
    """12345 -> '12.345' in Vietnamese, '12,345' in English."""
    return "–" if value is None else format_decimal(value, locale=get_locale())


@bp.app_template_global("entrant_rank")
def entrant_rank(round_id: int) -> dict | None:
    """The logged-in entrant's ``{rank, total, state, frozen_at}`` on the round's public board; None if they are
    not on it, except on a frozen board: then ``rank`` is None and the page says why; and when they stand
    disqualified from the round (or its contest), ``disqualified`` (the reason) instead of a rank.

    A rank is a place among other entrants, so it is always the public one: while the board is frozen, the
    entrant's place on the frozen board (from their results until the freeze), never their live place, which
    would move with the results the freeze hides. Their own score of the attempt is on the page anyway."""
    if not current_user.is_authenticated:
        return None
    ext = extension(current_app)
    info = ext.boards.round_info(db.session, round_id)
    standing = info and standing_disqualification(db.session, current_user.id, contest_id=info.contest_id,
                                                  round_id=round_id)
    if standing:
        return {"rank": None, "disqualified": standing.reason, "whole_contest": standing.round_id is None,
                "state": None, "frozen_at": None}
    try:
        view = ext.boards.public_round_view(db.session, round_id)
    except Exception:  # a result page must render even when the boards cannot be read
        current_app.logger.exception("rank of entrant %s in round %s", current_user.id, round_id)
        return None
    if view is None:
        return None
    mine = ext.boards.store.rank(view.family, None, current_user.id)
    if mine is None and view.state != FROZEN:
        return None
    return {"rank": mine.rank if mine else None, "total": ext.boards.store.count(view.family, None),
            "state": view.state, "frozen_at": view.frozen_at}


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None) -> Markup:
    """An organiser's Markdown as sanitised HTML (``contest.markup``)."""
    return render_markdown(text)


@bp.get("/contests")
def contests():
    """``?q=&page=``: every contest, newest first, with its open and upcoming rounds and links to its boards."""
    text = (request.args.get("q") or "").strip()[:100]
    listed = contests_page(db.session, now=utcnow(), text=text, page=_arg_int("page") or 1)
    return render_template("leaderboards/contests.html", listed=listed, text=text, now=utcnow())


@bp.get("/contests/<int:contest_id>")
def contest(contest_id: int):
    """The contest's home: banner, rules, news, prizes, its rounds and their boards."""
    shown = db.session.get(Contest, contest_id) or abort(404)
    now = utcnow()
    news = news_page(db.session, contest_id, now=now, page=_arg_int("news") or 1)
    return render_template("leaderboards/contest.html", contest=shown, now=now, home=home_of(db.session, contest_id),
                           news=news)


@bp.get("/contests/<int:contest_id>/banner")
def banner(contest_id: int):
    """The contest's banner image, served by the app. With ``?v=`` (the start of its hash, as the pages link it)
    it is cached for a year: a new banner has a new address."""
    found = banner_bytes(db.session, contest_id) or abort(404)
    data, content_type, digest = found
    response = Response(data, mimetype=content_type)
    response.set_etag(digest)
    versioned = request.args.get("v") and digest.startswith(request.args["v"])
    response.headers["Cache-Control"] = ("public, max-age=31536000, immutable" if versioned
                                         else "public, max-age=300")
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response.make_conditional(request)


@bp.get("/rounds/<int:round_id>/board")
def board(round_id: int):
    """``?unit=&q=&page=``: the first page is rendered here; board.js keeps it live and pages through
    ``/api/rounds/<id>/leaderboard``. ``unit`` is one unit at any level (picked with ``unit_q``: see
    ``unit_filter``); an unknown one is said so (a 404 showing everyone), never ignored."""
    round_ = db.session.get(Round, round_id) or abort(404)
    ext = extension(current_app)
    chosen = unit_filter()
    page_no = _arg_int("page") or 1
    text = (request.args.get("q") or "").strip()[:100]
    query = BoardQuery(round_id, None, chosen.unit_id, (page_no - 1) * PAGE_SIZE, PAGE_SIZE)
    try:
        page = round_leaderboard(db.session, ext.boards, ext.names, query, me=None, now=utcnow())
        found = search_entrants(db.session, ext.boards, ext.names, round_id=round_id, unit_id=chosen.unit_id,
                                text=text) if text else None
    except DomainError as error:
        abort(404 if error.code == "not_found" else 400)
    page_html = render_template("leaderboards/board.html", round=round_, contest=round_.contest, page=page,
                                page_no=page_no, page_size=PAGE_SIZE, filter=chosen, text=text, found=found,
                                searchable=round_.contest.name_style == "full", now=utcnow(), **_round_links(round_id))
    return page_html, 404 if chosen.problem else 200


@bp.get("/contests/<int:contest_id>/board")
def contest_board(contest_id: int):
    """``?unit=&page=``: the contest's leaderboard of people (no search by name, no live updates); ``unit`` as
    on a round's board."""
    shown = db.session.get(Contest, contest_id) or abort(404)
    ext = extension(current_app)
    chosen = unit_filter()
    page_no = _arg_int("page") or 1
    query = ContestBoardQuery(contest_id, None, chosen.unit_id, (page_no - 1) * PAGE_SIZE, PAGE_SIZE)
    try:
        page = contest_leaderboard(db.session, ext.boards, ext.names, query, me=None, now=utcnow())
    except DomainError as error:
        abort(404 if error.code == "not_found" else 400)
    page_html = render_template("leaderboards/board.html", round=None, contest=shown, page=page, page_no=page_no,
                                page_size=PAGE_SIZE, filter=chosen, text="", found=None, searchable=False,
                                now=utcnow(), **_contest_links(contest_id))
    return page_html, 404 if chosen.problem else 200


@dataclass(frozen=True)
class UnitFilter:
    """The board's one ``unit`` filter: the unit shown (``unit_id``, ``unit`` as the picker shows it), what was
    wrong with the one asked for (``problem``), and the picker's search without JavaScript (``query``,
    ``results``)."""

    unit_id: int | None
    unit: FoundUnit | None
    problem: str | None
    query: str
    results: list[FoundUnit] | None


def unit_filter() -> UnitFilter:
    """The request's ``unit``: one unit id at any level. Empty values (the old form sent one per level) are left
    out; two different units, a malformed id or an unknown unit are a problem the page states, and the board
    shows everyone. ``unit_q`` with ``unit_find`` (the picker's "Find" without JavaScript) lists up to 20 units."""
    values = {value.strip() for value in request.args.getlist("unit") if value.strip()}
    query = (request.args.get("unit_q") or "").strip()[:100]
    results = search_units(db.session, UnitSearch(query, limit=MAX_LIMIT), today=vietnam_day(utcnow())) \
        if request.args.get("unit_find") or (query and not values) else None
    problem = unit = None
    if len(values) > 1:
        problem = _("Choose one unit: the address asks for several.")
    elif values:
        raw = values.pop()
        try:
            unit_id = whole_number(raw, low=1)
        except ValueError:
            unit_id = None
        unit = found_unit(db.session, unit_id)
        if unit is None:
            problem = _("There is no unit %(unit)s: the board shows everyone.", unit=raw[:20])
    return UnitFilter(unit.id if unit else None, unit, problem, query or (unit.name if unit else ""), results)


@bp.get("/rounds/<int:round_id>/units")
def units(round_id: int):
    """``?level=&sort=&order=&q=&page=``: unit rankings (``PAGE_ROWS`` a page; ``q`` finds units by name or code),
    a participation chart and entrants over time."""
    round_ = db.session.get(Round, round_id) or abort(404)
    sort = request.args.get("sort", "participation")
    order = request.args.get("order", "desc")
    ranked = _ranked(sort, order, round_id=round_id)
    return render_template("leaderboards/units.html", round=round_, contest=round_.contest, ranked=ranked,
                           listed=_listed(ranked), sort=sort, order=order, sort_keys=SORT_KEYS, chart=_chart(ranked),
                           activity=extension(current_app).units.activity(db.session, round_id),
                           **_round_links(round_id))


@bp.get("/contests/<int:contest_id>/units")
def contest_units(contest_id: int):
    """``?level=&sort=&order=&q=&page=``: the contest's unit rankings (paged as ``units``) and the participation
    chart."""
    shown = db.session.get(Contest, contest_id) or abort(404)
    sort = request.args.get("sort", "participation")
    order = request.args.get("order", "desc")
    ranked = _ranked(sort, order, contest_id=contest_id)
    return render_template("leaderboards/units.html", round=None, contest=shown, ranked=ranked,
                           listed=_listed(ranked), sort=sort,
                           order=order, sort_keys=SORT_KEYS, chart=_chart(ranked), activity=None,
                           **_contest_links(contest_id))


def _ranked(sort: str, order: str, **scope) -> dict:
    if sort not in SORT_KEYS or order not in ("asc", "desc"):
        abort(400)
    try:
        return extension(current_app).units.rankings(db.session, **scope, level=request.args.get("level") or None,
                                                     now=utcnow(), sort=sort, descending=order == "desc")
    except DomainError as error:
        abort(404 if error.code == "not_found" else 400)


def _listed(ranked: dict) -> RankingPage:
    """The page of the ranking's rows this request asks for (``?page=&q=``)."""
    return ranking_page(ranked["rows"], page=_arg_int("page") or 1, text=(request.args.get("q") or "").strip()[:100])


def _chart(ranked: dict) -> dict:
    by_rate = [row for row in ranked["rows"] if row["participation"] is not None]
    measure = "participation" if by_rate else "entrants"
    chart_rows = sorted(by_rate or ranked["rows"], key=lambda row: -(row[measure] or 0))[:CHART_UNITS]
    bars = [{"name": row["name"], "value": round(row[measure] * 100, 1) if measure == "participation"
             else row[measure] or 0} for row in chart_rows]
    # Participation bars run to 100 %; entrants bars to the largest unit's count.
    top = 100 if measure == "participation" else max((bar["value"] for bar in bars), default=0)
    return {"measure": measure, "bars": bars, "max": top or 1}


def _round_links(round_id: int) -> dict:
    """What board.html and units.html link to, for a round's pages or (``_contest_links``) a contest's."""
    return {"scope": {"round_id": round_id}, "board_endpoint": "leaderboards_pages.board",
            "units_endpoint": "leaderboards_pages.units", "api_endpoint": "leaderboards_api.leaderboard"}


def _contest_links(contest_id: int) -> dict:
    return {"scope": {"contest_id": contest_id}, "board_endpoint": "leaderboards_pages.contest_board",
            "units_endpoint": "leaderboards_pages.contest_units", "api_endpoint": "leaderboards_api.contest_board"}


def _arg_int(name: str) -> int | None:
    try:
        return whole_number(request.args.get(name), low=1)
    except ValueError:
        abort(400)
