"""robot/*.robot use only keywords renode-test provides, and ${CURDIR}-relative paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from robot.api import get_model, get_resource_model
from robot.libdocpkg import LibraryDocumentation
from robot.libraries.BuiltIn import BuiltIn

from tests.renode.helpers import REPO

SUITES = sorted((REPO / "robot").glob("*.robot")) + sorted((REPO / "robot").glob("*.resource"))


def _norm(name: str) -> str:
    return re.sub(r"[\s_]", "", name).lower()  # Robot's keyword name matching


def _renode_keywords() -> set[str]:
    lines = (REPO / "renode" / "renode-keywords.txt").read_text().splitlines()
    return {_norm(line) for line in lines if line.strip() and not line.startswith("#")}


def _builtin_keywords() -> set[str]:
    return {_norm(name) for name in dir(BuiltIn) if not name.startswith("_") and callable(getattr(BuiltIn, name))}


def _imported_keywords(model, path: Path) -> set[str]:
    """Keywords of the Resource files and by-path Python libraries a suite imports (both load
    in renode-test's Robot as well: they run in Robot's process, not in Renode)."""
    names: set[str] = set()
    for node in _walk(model):
        kind = type(node).__name__
        if kind not in ("ResourceImport", "LibraryImport") or "${CURDIR}" not in (node.name or ""):
            continue
        target = Path(node.name.replace("${CURDIR}", str(path.parent))).resolve()
        if kind == "ResourceImport":
            names |= {_norm(kw.name) for section in get_resource_model(str(target)).sections
                      if type(section).__name__ == "KeywordSection" for kw in section.body}
        elif target.suffix == ".py":
            names |= {_norm(kw.name) for kw in LibraryDocumentation(str(target)).keywords}
    return names


def suite_problems(path: Path) -> list[str]:
    """`file:line: what` for unknown keywords and paths not anchored on ${CURDIR}."""
    model = get_resource_model(str(path)) if path.suffix == ".resource" else get_model(str(path))
    known = _renode_keywords() | _builtin_keywords() | _imported_keywords(model, path)
    own = {_norm(kw.name) for section in model.sections if type(section).__name__ == "KeywordSection"
           for kw in section.body}
    problems = []
    for node in _walk(model):
        kind = type(node).__name__
        if kind == "KeywordCall" and node.keyword and _norm(node.keyword) not in known | own:
            problems.append(f"{path.name}:{node.lineno}: keyword {node.keyword!r} is not provided by renode-test")
        if kind in ("Variable", "KeywordCall"):
            for token in node.tokens:
                value = token.value
                if re.search(r"(^|[\s@])(\.\./|build/|robot/|renode/|platforms/)", value) \
                        and "${CURDIR}" not in value:
                    problems.append(f"{path.name}:{node.lineno}: path {value!r} is not relative to ${{CURDIR}} "
                                    "(renode-test runs Renode in its own directory)")
    return problems


def _walk(node):
    yield node
    for child in getattr(node, "body", None) or getattr(node, "sections", None) or []:
        yield from _walk(child)
    for child in getattr(node, "orelse", None) and [node.orelse] or []:
        yield from _walk(child)


@pytest.mark.parametrize("suite", SUITES, ids=lambda p: p.name)
def test_suites_use_renode_keywords_and_curdir_paths(suite: Path) -> None:
    assert suite_problems(suite) == []


def test_a_keyword_renode_lacks_and_a_bare_path_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.robot"
    bad.write_text("*** Variables ***\n${BIN}    build/blinky.elf\n\n*** Test Cases ***\nT\n"
                   "    Run For    0.1\n    Execute Command    include @renode/rp2350.resc\n")
    problems = suite_problems(bad)
    assert "bad.robot:2: path 'build/blinky.elf' is not relative to ${CURDIR}" in problems[0]
    assert any("bad.robot:6: keyword 'Run For' is not provided by renode-test" in p for p in problems)
    assert any("bad.robot:7: path" in p for p in problems)
