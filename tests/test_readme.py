"""The README's promises: two set-up commands first, and a library example that runs."""

import os
import re
import subprocess
import sys

from .seeds import ROOT


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_setup_commands_and_ci_runs_the_second():
    first_block = re.search(r"```bash\n(.*?)```", readme(), re.S).group(1).strip().splitlines()
    assert len(first_block) == 2
    assert "newsfuse run examples/" in first_block[0]
    assert "pytest" in first_block[1]
    assert first_block[1] in (ROOT / ".ci" / "run").read_text()


def test_library_example_runs(tmp_path):
    code = re.search(r"## As a library\n\n```python\n(.*?)```", readme(), re.S).group(1)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONWARNINGS": "error::UserWarning"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n- ") >= 1 and "pages" in done.stdout
