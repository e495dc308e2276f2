"""The pictures an imported file names, found in the zip uploaded with it and checked. Pure: bytes in, no database.

A cell of the ``hinh_anh`` or ``hinh_a`` … ``hinh_h`` columns names a file of the zip, by its path inside the zip
or, when only one file has it, by its name alone (letter case aside: Windows users do not see it). A name the bank
already holds (``<sha256>.<ext>``, as a bank export writes it) needs no zip. Each file is checked like an upload of
the question form (``image_check``); whatever cannot be used is a problem of its row, so the import's all or nothing
covers pictures too.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field, replace

from question_bank.formats.errors import TableError
from question_bank.formats.limits import megabytes
from question_bank.formats.model import N_, ReadResult, RowProblem
from question_bank.image_check import MAX_UPLOAD_BYTES, CheckedImage, ImageRejected, check_image
from question_bank.import_plan import image_column

MAX_MEMBERS = 5000


@dataclass
class Attached:
    read: ReadResult  # the questions naming bank images only, the problems of the pictures added
    images: dict[str, CheckedImage] = field(default_factory=dict)  # new pictures by their name


def attach_images(read: ReadResult, archive: bytes | None, known: frozenset[str] = frozenset()) -> Attached:
    """Resolve every picture ``read``'s questions name. ``TableError`` when ``archive`` is not a readable zip."""
    files = _Archive(archive)
    images: dict[str, CheckedImage] = {}
    problems = list(read.problems)
    questions = []
    for raw in read.questions:
        def resolve(name: str, column: str, raw=raw) -> str:
            name = name.strip()
            if not name or name in known:
                return name
            found = files.checked(name)
            if isinstance(found, CheckedImage):
                images[found.name] = found
                return found.name
            message, params = found
            problems.append(RowProblem(raw.row, column, message, params))
            return ""

        image = resolve(raw.image, "hinh_anh")
        option_images = tuple((key, name) for key, value in raw.option_images
                              if (name := resolve(value, image_column(key))))
        questions.append(replace(raw, image=image, option_images=option_images))
    return Attached(ReadResult(questions=questions, problems=problems), images)


def used_images(images: dict[str, CheckedImage], questions) -> dict[str, CheckedImage]:
    """The pictures of ``images`` that planned questions show (a row left out leaves its pictures out)."""
    names = {name for question in questions
             for name in (question.image, *(option.image for option in question.options)) if name}
    return {name: image for name, image in images.items() if name in names}


class _Archive:
    def __init__(self, data: bytes | None):
        self.members: dict[str, zipfile.ZipInfo] = {}
        self.by_name: dict[str, list[zipfile.ZipInfo]] = {}
        self.done: dict[str, CheckedImage | tuple[str, dict]] = {}
        self.zip = None
        if not data:
            return
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = [info for info in self.zip.infolist() if not info.is_dir()]
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise TableError(N_("the zip of pictures cannot be read")) from exc
        if len(infos) > MAX_MEMBERS:
            raise TableError(N_("the zip of pictures holds more than %(max)s files"), max=MAX_MEMBERS)
        for info in infos:
            path = info.filename.replace("\\", "/")
            self.members[path.casefold()] = info
            self.by_name.setdefault(posixpath.basename(path).casefold(), []).append(info)

    def checked(self, name: str) -> CheckedImage | tuple[str, dict]:
        """The checked picture ``name`` names, or ``(msgid, params)`` saying why there is none."""
        if name not in self.done:
            self.done[name] = self._check(name)
        return self.done[name]

    def _check(self, name: str) -> CheckedImage | tuple[str, dict]:
        if self.zip is None:
            return N_("the picture %(name)s is not in the bank, and no zip of pictures was uploaded"), {"name": name}
        key = name.replace("\\", "/").strip("/").casefold()
        info = self.members.get(key)
        if info is None:
            alike = self.by_name.get(posixpath.basename(key), [])
            if len(alike) > 1:
                return N_("the zip has several files named %(name)s: give the folder too"), {"name": name}
            info = alike[0] if alike else None
        if info is None:
            return N_("the zip of pictures has no file %(name)s"), {"name": name}
        # The declared size is checked before anything is inflated (the reader never inflates past it).
        if info.file_size > MAX_UPLOAD_BYTES:
            return N_("the image is %(size)s, more than the %(max)s allowed"), {
                "size": megabytes(info.file_size), "max": megabytes(MAX_UPLOAD_BYTES)}
        try:
            data = self.zip.read(info)
        except Exception:  # a damaged member: bad CRC, unsupported compression, encryption
            return N_("the image is damaged and cannot be read"), {}
        try:
            return check_image(data)
        except ImageRejected as refused:
            return refused.message, refused.params
