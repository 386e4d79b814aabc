"""Offline VADER lexicon for NLTK.

`nltk.download('vader_lexicon')` needs the internet. The same lexicon ships inside the
`vaderSentiment` wheel (a registry package pinned in constraints.txt); this module lays it out the
way NLTK's data loader expects: `<dir>/sentiment/vader_lexicon.zip` containing
`vader_lexicon/vader_lexicon.txt`. Put `<dir>` on `NLTK_DATA` (the Makefile and
riskradar.config do) and NLTK's `SentimentIntensityAnalyzer()` finds it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from importlib import resources
from pathlib import Path

ZIP_RELATIVE = Path("sentiment") / "vader_lexicon.zip"
MEMBER = "vader_lexicon/vader_lexicon.txt"


def _packaged_lexicon() -> bytes:
    try:
        return resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:  # pragma: no cover - install defect
        raise RuntimeError(
            "the vaderSentiment package (pinned in constraints.txt) is missing or has no "
            "vader_lexicon.txt; reinstall with `make setup`") from exc


def ensure_vader_lexicon(nltk_data_dir: Path | str) -> Path:
    """Create (or refresh when the packaged lexicon changed) the NLTK VADER zip; return its path.

    Idempotent and atomic: the zip is written to a temp file and renamed into place.
    """
    target = Path(nltk_data_dir) / ZIP_RELATIVE
    payload = _packaged_lexicon()
    digest = hashlib.sha256(payload).hexdigest()
    if target.exists():
        try:
            with zipfile.ZipFile(target) as zf:
                if hashlib.sha256(zf.read(MEMBER)).hexdigest() == digest:
                    return target
        except (zipfile.BadZipFile, KeyError):
            pass  # broken or foreign file: rebuild below
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".zip.tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(MEMBER, payload)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
