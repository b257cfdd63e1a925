"""The code base stays ruff-clean, and the public API lists only what exists."""

import shutil
import subprocess

import pytest

import newsfuse

from .seeds import ROOT


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    if not shutil.which(ruff):
        pytest.skip("ruff is not installed (it comes with the 'test' extra)")
    done = subprocess.run([ruff, "check", "src", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_public_api_names_exist():
    for name in newsfuse.__all__:
        assert hasattr(newsfuse, name), name

