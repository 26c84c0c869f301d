"""Vendor KaTeX from the npm registry into ``src/actfn/_assets/katex/``.

Usage::

    python3 tools/vendor_katex.py [VERSION]          # runs ``npm pack katex@VERSION``
    python3 tools/vendor_katex.py --tarball katex-0.19.1.tgz

Copies ``katex.min.js``, ``katex.min.css``, ``contrib/auto-render.min.js``, the
``.woff2`` fonts and ``LICENSE``, and writes ``VERSION``. The stylesheet is rewritten
to list only the ``.woff2`` font files (every browser that runs KaTeX reads woff2),
so the shipped folder holds no dangling ``url(...)``. Nothing is fetched at run time:
the atlas and the explorer serve these files from the installed package.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

DEST = Path(__file__).resolve().parents[1] / "src" / "actfn" / "_assets" / "katex"

_SRC_LIST = re.compile(r"src:url\((fonts/[^)]+\.woff2)\) format\(\"woff2\"\)(?:,url\([^)]+\) "
                       r"format\(\"[a-z]+\"\))*")


def woff2_only(css: str) -> str:
    """Keep only the woff2 entry of every ``@font-face src`` list."""
    out, n = _SRC_LIST.subn(r'src:url(\1) format("woff2")', css)
    if n == 0:
        raise SystemExit("vendor_katex: no @font-face src lists found; KaTeX's CSS changed")
    return out


def vendor(tarball: Path) -> str:
    """Unpack ``tarball`` (an ``npm pack`` of katex) into :data:`DEST`; return the version."""
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(tarball) as tf:
            tf.extractall(tmp, filter="data")
        pkg = Path(tmp) / "package"
        version = json.loads((pkg / "package.json").read_text())["version"]
        dist = pkg / "dist"
        if DEST.exists():
            shutil.rmtree(DEST)
        (DEST / "fonts").mkdir(parents=True)
        (DEST / "contrib").mkdir()
        shutil.copy(dist / "katex.min.js", DEST / "katex.min.js")
        shutil.copy(dist / "contrib" / "auto-render.min.js", DEST / "contrib" / "auto-render.min.js")
        css = (dist / "katex.min.css").read_text(encoding="utf-8")
        (DEST / "katex.min.css").write_text(woff2_only(css), encoding="utf-8")
        for font in sorted((dist / "fonts").glob("*.woff2")):
            shutil.copy(font, DEST / "fonts" / font.name)
        shutil.copy(pkg / "LICENSE", DEST / "LICENSE")
        (DEST / "VERSION").write_text(version + "\n", encoding="utf-8")
    return version


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("version", nargs="?", default="0.19.1", help="katex version on npm")
    ap.add_argument("--tarball", type=Path, help="use this npm pack tarball instead of npm")
    args = ap.parse_args()
    if args.tarball is not None:
        version = vendor(args.tarball)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["npm", "pack", f"katex@{args.version}"], cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL)
            version = vendor(next(Path(tmp).glob("katex-*.tgz")))
    print(f"vendored KaTeX {version} into {DEST}")


if __name__ == "__main__":
    main()
