"""The GitHub Actions workflow passes actionlint, pins its actions, and uses the Renode action's real inputs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.renode.helpers import REPO

WORKFLOW = REPO / ".github" / "workflows" / "emulation.yml"
# antmicro/renode-test-action v5 inputs (action.yml at tag v5.2.0)
RENODE_ACTION_INPUTS = {"renode-revision", "renode-repository", "tests-to-run", "renode-arguments",
                        "artifacts-path", "gather-execution-metrics", "install-dependencies",
                        "disable-summary-generation"}


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    exe = REPO / ".venv" / "bin" / "actionlint"
    found = str(exe) if exe.exists() else shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint not found: `make setup` builds it into .venv/bin with Go "
                    "(GOBIN=$PWD/.venv/bin go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7)",
                    pytrace=False)
    return subprocess.run([found, "-no-color", "-shellcheck=", "-pyflakes=", str(path)],
                          capture_output=True, text=True, check=False, cwd=REPO)


def test_workflow_passes_actionlint() -> None:
    proc = actionlint(WORKFLOW)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_broken_workflow_fails_actionlint(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n"
                   "      - run: echo ${{ matrix.nope }}\n      - uses: actions/checkout\n")
    proc = actionlint(bad)
    assert proc.returncode != 0 and "bad.yml:6" in proc.stdout


def test_every_action_is_pinned_to_a_release_or_commit() -> None:
    uses = re.findall(r"uses:\s*(\S+)", WORKFLOW.read_text())
    assert uses
    for ref in uses:
        assert re.search(r"@(v\d+\.\d+\.\d+|[0-9a-f]{40})$", ref), f"{ref} is not pinned to vX.Y.Z or a SHA"


def test_renode_action_gets_only_inputs_it_has() -> None:
    text = WORKFLOW.read_text()
    block = text.split("antmicro/renode-test-action@", 1)[1].split("\n      - ", 1)[0]
    inputs = set(re.findall(r"^\s{10}([\w-]+):", block, re.MULTILINE))
    assert inputs and inputs <= RENODE_ACTION_INPUTS, inputs - RENODE_ACTION_INPUTS
    assert "robot/*.robot" in block and "renode-revision: ${{ env.RENODE_REVISION }}" in block
    assert re.search(r"RENODE_REVISION: v\d+\.\d+\.\d+", text)
