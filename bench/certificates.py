"""Time a round's certificates as a job: 10,000 entrants of a published round, each a PDF (A4 landscape, Noto Sans
embedded, a QR code, the template's logo and signature), into one zip, in a fresh SQLite database.

    nice -n 19 .venv/bin/python -m bench.certificates [--entrants 10000] [--cpu-seconds]

Prints the seeding (not timed as part of the job), the job's stages (what each certificate states and issuing
the codes; drawing the PDFs into the zip) and the whole job, with the zip's size and the CPU time of this process
(on a shared, loaded machine the wall time is longer than the CPU time).
"""

from __future__ import annotations

import argparse
import io
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import insert

from contest import create_app
from contest.accounts.models import Role, User
from contest.attempts.models import Attempt, Status
from contest.db import utcnow
from contest.extensions import db
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.results.publish import publish
from contest.leaderboards.stores.memory import MemoryStore
from contest.prizes import certificate_jobs
from contest.prizes.certificates import set_template
from contest.prizes.models import CertificateJob
from contest.prizes.service import set_rules
from contest.rounds.models import Contest, Round
from contest.units.models import Unit

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Thanh", "Minh", "Ngọc", "Quốc", "Thu", "Hồng")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Linh", "Nhung", "Phúc", "Quỳnh",
         "Thảo", "Trang", "Tuấn", "Việt", "Yến")


def image(size, colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def seed(entrants: int, rng: random.Random) -> tuple[Round, User]:
    """A province, 10 districts of 10 schools, ``entrants`` entrants with one finalised attempt each, published."""
    now = utcnow()
    province = Unit(code="P", name="Tỉnh Thái Nguyên", level="Tỉnh", path="", depth=0)
    db.session.add(province)
    db.session.flush()
    province.path = f"/{province.id}/"
    schools = []
    for d in range(10):
        district = Unit(code=f"D{d}", name=f"Huyện Số {d}", level="Huyện", parent=province, depth=1)
        db.session.add(district)
        db.session.flush()
        district.path = f"{province.path}{district.id}/"
        for s in range(10):
            school = Unit(code=f"D{d}S{s}", name=f"THPT Trường {d}-{s}", level="Trường", parent=district, depth=2,
                          member_count=200)
            db.session.add(school)
            db.session.flush()
            school.path = f"{district.path}{school.id}/"
            schools.append(school)
    admin = User(role=Role.ADMIN, full_name="Quản trị", email="admin@example.vn", password_hash="x", created_at=now)
    contest = Contest(title="Tìm hiểu lịch sử Đoàn TNCS Hồ Chí Minh", created_at=now)
    round_ = Round(contest=contest, title="Tuần 3", opens_at=now - timedelta(days=7),
                   closes_at=now - timedelta(hours=1), time_limit_s=600, question_count=20, attempts_allowed=1,
                   grace_s=5, created_at=now)
    db.session.add_all([admin, contest, round_])
    db.session.commit()
    users = [{"role": Role.ENTRANT, "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
              "phone": f"09{n:08d}", "unit_id": rng.choice(schools).id, "password_hash": "x", "created_at": now,
              "name_key": ""} for n in range(entrants)]
    db.session.execute(insert(User), users)
    ids = [row[0] for row in db.session.execute(db.select(User.id).where(User.role == Role.ENTRANT))]
    finished = now - timedelta(hours=2)
    db.session.execute(insert(Attempt), [
        {"round_id": round_.id, "user_id": user_id, "number": 1, "status": Status.SUBMITTED, "paper": [],
         "started_at": finished - timedelta(seconds=300), "deadline": finished + timedelta(minutes=5),
         "finished_at": finished, "score": rng.randint(0, 20), "max_score": 20,
         "duration_ms": rng.randint(30_000, 600_000)}
        for user_id in ids])
    db.session.commit()
    return round_, admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entrants", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                          "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "REDIS_URL": None})
        app.instance_path = folder
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            round_, admin = seed(args.entrants, random.Random(20261203))
            now = utcnow()
            set_rules(db.session, admin, contest_id=round_.contest_id, round_id=None, now=now,
                      raw={"first": "1", "second": "2", "third": "3", "consolation": "10", "one_per_contest": "1",
                           "best_of_levels": "Huyện"})
            set_template(db.session, admin, contest_id=round_.contest_id, title="GIẤY CHỨNG NHẬN",
                         body="Đã tham gia {round} – {contest}\nĐạt {score}/{max_score} điểm, xếp hạng "
                              "{rank}/{entrants}.", signer="Bí thư Tỉnh đoàn", logo=image((300, 300), (200, 20, 20)),
                         signature=image((400, 160), (20, 20, 120)),
                         directory=certificate_jobs.image_dir(folder), now=now)
            publish(db.session, Leaderboards(MemoryStore()), None, round_id=round_.id, actor_id=admin.id, reason="",
                    now=now)
            print(f"seeded and published {args.entrants:,} entrants in {time.perf_counter() - start:.1f} s")
            job = certificate_jobs.start_job(db.session, admin, round_id=round_.id, only_prizes=False, now=utcnow())
            marks = {}
            original = certificate_jobs.design_of

            def design_marked(*a, **k):  # the statements and codes are done when the design is read
                marks["issued"] = time.perf_counter()
                return original(*a, **k)

            certificate_jobs.design_of = design_marked
            cpu, wall = time.process_time(), time.perf_counter()
            began = wall
            certificate_jobs.run_job(db.session, job.id, directory=certificate_jobs.job_dir(folder),
                                     images=certificate_jobs.image_dir(folder),
                                     verify_url=lambda code: f"https://thi.example.vn/verify/{code}")
            ended = time.perf_counter()
            wall, cpu = ended - wall, time.process_time() - cpu
            job = db.session.get(CertificateJob, job.id)
            assert job.status.value == "done", job.error
            size = (certificate_jobs.job_dir(folder) / job.path).stat().st_size
            print(f"  statements and codes issued: {marks['issued'] - began:.1f} s; PDFs drawn into the zip: "
                  f"{ended - marks['issued']:.1f} s")
            print(f"job: {job.rows_done:,} certificates in {wall:.1f} s wall, {cpu:.1f} s CPU "
                  f"({wall / job.rows_done * 1000:.1f} ms each wall, {cpu / job.rows_done * 1000:.1f} ms CPU); "
                  f"zip {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
