"""Certificates: the entrant's PDF renders Vietnamese exactly (its text read back) and its code verifies on
``/verify/<code>`` until a later version supersedes it; the organiser's template (images checked) and the round's
certificates as a job; the share page and its Open Graph image carry no personal data."""

from __future__ import annotations

import io
import re
import zipfile

from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from contest.accounts.models import StaffRole
from contest.attempts.models import Attempt
from contest.leaderboards.models import JobStatus
from contest.prizes import organiser_pages
from contest.prizes.certificate_jobs import run_job
from contest.prizes.models import Certificate, CertificateJob, CertificateTemplate
from tests.integration.prizes.conftest import login, logout, organiser, publish_round
from tests.integration.prizes.test_prizes import audit_of, published_week


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def png(size=(120, 60), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def test_the_entrant_certificate_has_the_vietnamese_name_exactly_and_verifies(client, db_session, boards, tree):
    contest, week, who = published_week(db_session, boards, tree)
    nhung = who["Nguyễn Thị Hồng Nhung"]
    login(client, nhung.phone)
    response = client.get(f"/rounds/{week.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Nguyễn Thị Hồng Nhung" in text and "Giải Nhất" in text and "THPT Đại Từ" in text
    assert "GIẤY CHỨNG NHẬN" in text and "Tìm hiểu lịch sử Đoàn" in text
    code = re.search(r"/verify/([A-Z0-9]{10})", text).group(1)
    assert client.get(f"/rounds/{week.id}/certificate.pdf").data and db_session.scalars(
        select(Certificate).where(Certificate.user_id == nhung.id)).all()[-1].code == code  # the same code again
    logout(client)
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert 'data-superseded="no"' in page and "Nguyễn Thị Hồng Nhung" in page and "Giải Nhất" in page
    assert client.get("/verify/NOSUCHCODE").status_code == 404
    # A correction takes her first prize away: the certificate says what it said, and that it is superseded.
    db_session.scalar(select(Attempt).where(Attempt.user_id == nhung.id)).score = 0
    db_session.commit()
    publish_round(db_session, boards, week, reason="Đính chính")
    page = client.get(f"/verify/{code.lower()}").get_data(as_text=True)
    assert 'data-superseded="yes"' in page and "Giải Nhất" in page and 'id="verify-current"' in page


def test_a_certificate_needs_published_results_and_a_place_in_them(client, db_session, boards, tree):
    contest, week, who = published_week(db_session, boards, tree)
    outsider = organiser(db_session, email="boss2@example.vn")
    login(client, "boss2@example.vn")
    assert client.get(f"/rounds/{week.id}/certificate.pdf").status_code == 404
    assert outsider.id not in {c.user_id for c in db_session.scalars(select(Certificate))}


def test_the_template_checks_images_and_placeholders_and_is_audited(client, db_session, boards, tree, app,
                                                                   monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    contest, week, who = published_week(db_session, boards, tree)
    login(client, "boss@example.vn")
    url = f"/organiser/contests/{contest.id}/certificate"
    form = {"title": "GIẤY KHEN", "body": "Đạt {prize} – {score} điểm", "signer": "Bí thư Tỉnh đoàn"}
    bad = client.post(url, data={**form, "logo": (io.BytesIO(b"not an image"), "logo.png")}, follow_redirects=True,
                      headers={"Accept-Language": "vi"})
    assert "Tệp này không phải là ảnh đọc được." in bad.get_data(as_text=True)
    typo = client.post(url, data={**form, "body": "Chúc mừng {ten}"}, follow_redirects=True)
    assert "{ten}" in typo.get_data(as_text=True)
    assert db_session.get(CertificateTemplate, contest.id) is None
    saved = client.post(url, data={**form, "logo": (io.BytesIO(png(fmt="JPEG")), "logo.jpg"),
                                   "signature": (io.BytesIO(png()), "sig.png")})
    assert saved.status_code == 302
    template = db_session.get(CertificateTemplate, contest.id)
    assert template.logo.endswith(".png") and (tmp_path / "certificate-images" / template.signature).is_file()
    assert audit_of(db_session, "certificates.template")[-1].details["images"] == ["logo", "signature"]
    logout(client)
    login(client, who["Lê Cường"].phone)
    text = pdf_text(client.get(f"/rounds/{week.id}/certificate.pdf").data)
    assert "GIẤY KHEN" in text and "Đạt Giải Ba – 7 điểm" in text and "Bí thư Tỉnh đoàn" in text


def test_a_round_certificates_job_writes_a_pdf_per_entrant_in_unit_folders_within_scope(
        client, db_session, boards, tree, app, monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    started = []
    monkeypatch.setattr(organiser_pages, "launch", lambda _app, job_id, verify: started.append((job_id, verify)))
    contest, week, who = published_week(db_session, boards, tree)
    organiser(db_session, email="unit@example.vn", staff_role=StaffRole.UNIT, scope=tree["d1"])
    results = {}
    for email in ("boss@example.vn", "unit@example.vn"):
        login(client, email)
        response = client.post(f"/organiser/rounds/{week.id}/certificates", data={})
        assert response.status_code == 302
        job_id, verify = started[-1]
        run_job(db_session, job_id, directory=tmp_path / "certificates", images=tmp_path / "images",
                verify_url=lambda code, v=verify: v.replace("CODE", code))
        poll = client.get(response.headers["Location"], headers={"Accept": "application/json"}).json
        assert poll["status"] == "done" and poll["rows_done"] == poll["rows_total"]
        download = client.get(poll["download_url"])
        results[email] = zipfile.ZipFile(io.BytesIO(download.data))
        download.close()
        logout(client)
    everyone = results["boss@example.vn"].namelist()
    assert len(everyone) == 4 and {name.split("/")[0] for name in everyone} == {"S1", "S2", "S3"}
    assert sorted(n.split("/")[0] for n in results["unit@example.vn"].namelist()) == ["S1", "S1", "S2"]
    first = next(n for n in everyone if "000001" in n)
    assert "Nguyễn Thị Hồng Nhung" in pdf_text(results["boss@example.vn"].read(first))
    assert db_session.get(CertificateJob, started[0][0]).status == JobStatus.DONE
    assert len(audit_of(db_session, "certificates.job")) == 2
    # Somebody else's job is not theirs to see; another contest's organiser may not start one.
    other_job = started[0][0]
    login(client, "unit@example.vn")
    assert client.get(f"/organiser/rounds/{week.id}/certificates/{other_job}").status_code == 404


def test_the_share_page_shows_public_name_score_and_prize_and_an_og_image(client, db_session, boards, tree, app,
                                                                        monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    from contest.rounds.models import NameStyle

    contest, week, who = published_week(db_session, boards, tree, style=NameStyle.INITIALS)
    binh = who["Trần Bình"]
    attempt = db_session.scalar(select(Attempt).where(Attempt.user_id == binh.id))
    login(client, binh.phone)
    result = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    share_url = re.search(r'id="share-result" href="([^"]+)"', result).group(1)
    logout(client)
    page = client.get(share_url).get_data(as_text=True)
    assert "T. B." in page and "Giải Nhì" in page and "8/10" in page
    assert "Trần Bình" not in page and binh.phone not in page and "2007" not in page
    image_url = re.search(r'property="og:image" content="([^"]+)"', page).group(1)
    image = client.get(image_url)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert Image.open(io.BytesIO(image.data)).size == (1200, 630)
    image.close()
    assert len(list((tmp_path / "share-images").iterdir())) == 1  # cached: drawn once
    client.get(image_url).close()
    assert len(list((tmp_path / "share-images").iterdir())) == 1
    forged = share_url.rsplit("-", 1)[0] + "-" + "0" * 20
    assert client.get(forged).status_code == 404
