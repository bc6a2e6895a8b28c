"""The package as a user installs it: a wheel built from this checkout, installed into a fresh virtual environment
outside it, serves every page and every script and style the pages reference, from an unrelated folder."""
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from wire import ROOT, LiveServer

PAGES = ("/", "/race", "/lessons", "/gradient-descent", "/perceptron")
# what a page references: <script src>, <link href>, and the ES module imports inside each script
PAGE_REFERENCE = re.compile(r"""(?:src|href)="(/(?:static|spec)[^"]*)\"""")
MODULE_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+\.js)["']""")
BUILD_JUNK = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", "test-artifacts",
                                    ".pytest_cache", "*.nbi", "*.nbc")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a clean copy of this checkout (a stale build/ folder cannot leak into it)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=BUILD_JUNK)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(work / "dist"), str(source)], check=True, capture_output=True, timeout=300)
    built, = (work / "dist").glob("nnplayground-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The python of a fresh venv holding only the wheel's nnplayground (its dependencies come from this Python's
    site-packages)."""
    work = tmp_path_factory.mktemp("venv")
    venv.create(work / "env", system_site_packages=True, with_pip=False)
    python = work / "env" / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, timeout=300)
    return python


def test_the_wheel_is_one_package_with_the_page_inside(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    top = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert top == {"nnplayground"}, f"the wheel must install one package, not {sorted(top)}"
    for expected in ("nnplayground/__main__.py", "nnplayground/engine/trainer.py", "nnplayground/server/cli.py",
                     "nnplayground/engine/data/digits.csv.gz", "nnplayground/templates/index.html",
                     "nnplayground/static/css/app.css"):
        assert expected in names, f"{expected} is missing from the wheel"


def test_an_installed_wheel_serves_every_page_and_file_it_references_from_any_folder(installed, tmp_path):
    where = subprocess.run([str(installed), "-c", "import nnplayground; print(nnplayground.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(installed.parent.parent), f"nnplayground came from {where}, not the wheel"
    assert not Path(where).is_relative_to(ROOT)

    server = LiveServer(python=str(installed), cwd=tmp_path)
    try:
        with httpx.Client(base_url=server.base, timeout=10) as client:
            seen: set[str] = set()
            for page in PAGES:
                reply = client.get(page)
                assert reply.status_code == 200, page
                referenced = PAGE_REFERENCE.findall(reply.text)
                assert any(url.endswith(".js") for url in referenced), f"{page} references no script"
                _fetch_all(client, referenced, seen)
            assert len(seen) > 40
    finally:
        server.stop()


def _fetch_all(client: httpx.Client, urls: list[str], seen: set[str]) -> None:
    """GET every URL, and every module a fetched script imports, once; each must answer 200."""
    pending = [url.split("?")[0] for url in urls]
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        reply = client.get(url)
        assert reply.status_code == 200, f"{url} answered {reply.status_code}"
        if url.endswith(".js"):
            base = url.rsplit("/", 1)[0]
            for target in MODULE_IMPORT.findall(reply.text):
                pending.append(_resolve(base, target))


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target
    parts = base.split("/")
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)
