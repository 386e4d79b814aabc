"""Render an HTML brief to a PNG with headless Chromium (the README's brief screenshot).

    .venv/bin/python tools/screenshot.py [BRIEF.html] [--out PNG] [--width 1280] [--height 2400]

Without a path it takes the latest data/briefs/brief-*.html. If no Chromium is installed it
says so and exits 0: the screenshot is documentation, not a pipeline output.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> str | None:
    env = os.environ.get("CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def latest_brief(data_dir: Path) -> Path | None:
    briefs = sorted((data_dir / "briefs").glob("brief-*.html"))
    return briefs[-1] if briefs else None


def screenshot(html: Path, out: Path, width: int = 1280, height: int = 2400, timeout: float = 120) -> Path:
    """Run Chromium headless on file://<html> and write `out`; raise with Chromium's stderr on failure."""
    browser = find_chromium()
    if browser is None:
        raise FileNotFoundError("chromium not found")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="riskradar-chromium-") as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}",
               f"--window-size={width},{height}", f"--screenshot={out.resolve()}",
               html.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise RuntimeError(f"chromium failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("html", nargs="?", type=Path, help="brief HTML (default: the latest under data/briefs)")
    parser.add_argument("--out", type=Path, default=None, help="PNG path (default: docs/img/brief.png)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2400)
    args = parser.parse_args(argv)

    data_dir = Path(os.environ.get("RISKRADAR_DATA_DIR", REPO / "data"))
    html = args.html or latest_brief(data_dir)
    if html is None or not html.exists():
        print(f"screenshot: no brief HTML found ({html or data_dir / 'briefs'}); run `riskradar brief --date D` first",
              file=sys.stderr)
        return 1
    if find_chromium() is None:
        print("screenshot: skipped — headless Chromium is not installed (looked for "
              f"{', '.join(CANDIDATES)} or $CHROMIUM). Install it (Debian/Ubuntu: `apt-get install -y chromium`) "
              "to render the brief screenshot.")
        return 0
    out = args.out or REPO / "docs" / "img" / "brief.png"
    screenshot(html, out, args.width, args.height)
    print(f"screenshot: {html} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
