"""Organiser pages of a contest's home content under ``/organiser/contests/<id>/home``: rules, prizes, the banner
and news posts. Thin: the service (``rounds.content``) checks that the organiser manages the contest and audits."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.access.guards import contest_or_abort
from contest.access.permissions import Action, requires
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.input_guard import upload_limit
from contest.rounds import content
from contest.rounds.forms import BannerForm, HomeTextsForm, NewsForm, to_utc, to_vietnam
from contest.web import show_field_errors, whole_number

bp = Blueprint("rounds_content_pages", __name__, url_prefix="/organiser")


@bp.route("/contests/<int:contest_id>/home", methods=["GET", "POST"])
@requires(Action.CONTEST_MANAGE)
def edit(contest_id: int):
    """The rules and prizes form, the banner's form and the contest's news posts."""
    contest = contest_or_abort(contest_id)
    form = HomeTextsForm()
    home = content.home_of(db.session, contest_id)
    if request.method == "GET" and home is not None:
        form.rules.data, form.prizes.data = home.rules, home.prizes
    elif form.validate_on_submit():
        try:
            content.save_texts(db.session, current_user, contest_id=contest_id, rules=form.rules.data or "",
                               prizes=form.prizes.data or "", now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_field_errors(form, error)
        else:
            flash(_("Home page saved."), "success")
            return redirect(url_for("rounds_content_pages.edit", contest_id=contest_id))
    return _page(contest, form, BannerForm(formdata=None), home)


@bp.post("/contests/<int:contest_id>/home/banner")
@requires(Action.CONTEST_MANAGE)
@upload_limit("BANNER_UPLOAD_MAX_BYTES")
def upload_banner(contest_id: int):
    contest = contest_or_abort(contest_id)
    banner = BannerForm()
    if banner.validate_on_submit():
        upload = banner.banner.data
        try:
            data = upload.read(content.BANNER_MAX_BYTES + 1)  # one byte more says "too large"
        finally:
            upload.close()
        try:
            content.set_banner(db.session, current_user, contest_id=contest_id, data=data, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_field_errors(banner, error)
        else:
            flash(_("Banner saved."), "success")
            return redirect(url_for("rounds_content_pages.edit", contest_id=contest_id))
    home = content.home_of(db.session, contest_id)
    form = HomeTextsForm(formdata=None, obj=home)
    return _page(contest, form, banner, home), 400


@bp.post("/contests/<int:contest_id>/home/banner/delete")
@requires(Action.CONTEST_MANAGE)
def remove_banner(contest_id: int):
    contest_or_abort(contest_id)
    content.remove_banner(db.session, current_user, contest_id=contest_id, now=utcnow())
    flash(_("Banner removed."), "success")
    return redirect(url_for("rounds_content_pages.edit", contest_id=contest_id))


@bp.route("/contests/<int:contest_id>/news/new", methods=["GET", "POST"])
@requires(Action.CONTEST_MANAGE)
def add_news(contest_id: int):
    contest = contest_or_abort(contest_id)
    form = NewsForm()
    if request.method == "GET":
        form.published_at.data = to_vietnam(utcnow()).replace(tzinfo=None, second=0, microsecond=0)
    return _news_page(contest, form, None)


@bp.route("/contests/<int:contest_id>/news/<int:post_id>", methods=["GET", "POST"])
@requires(Action.CONTEST_MANAGE)
def edit_news(contest_id: int, post_id: int):
    contest = contest_or_abort(contest_id)
    try:
        post = content.news_post(db.session, current_user, contest_id=contest_id, post_id=post_id)
    except DomainError as error:
        abort(404 if error.code == "not_found" else 403)
    form = NewsForm()
    if request.method == "GET":
        form.title.data, form.body.data = post.title, post.body
        form.published_at.data = to_vietnam(post.published_at).replace(tzinfo=None)
    return _news_page(contest, form, post)


@bp.post("/contests/<int:contest_id>/news/<int:post_id>/delete")
@requires(Action.CONTEST_MANAGE)
def delete_news(contest_id: int, post_id: int):
    contest_or_abort(contest_id)
    try:
        content.delete_news(db.session, current_user, contest_id=contest_id, post_id=post_id, now=utcnow())
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        flash(_("News post deleted."), "success")
    return redirect(url_for("rounds_content_pages.edit", contest_id=contest_id))


def _news_page(contest, form: NewsForm, post):
    if request.method == "POST" and form.validate_on_submit():
        try:
            content.save_news(db.session, current_user, contest_id=contest.id, post_id=post.id if post else None,
                              title=form.title.data or "", body=form.body.data or "",
                              published_at=to_utc(form.published_at.data), now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_field_errors(form, error)
        else:
            flash(_("News post saved."), "success")
            return redirect(url_for("rounds_content_pages.edit", contest_id=contest.id))
    return render_template("rounds/home/news_form.html", contest=contest, form=form, post=post)


def _page(contest, form: HomeTextsForm, banner: BannerForm, home):
    try:
        page_no = whole_number(request.args.get("page"), low=1) or 1
    except ValueError:
        page_no = 1
    news = content.news_page(db.session, contest.id, now=None, page=page_no)
    return render_template("rounds/home/edit.html", contest=contest, form=form, banner=banner, home=home, news=news,
                           now=utcnow())
