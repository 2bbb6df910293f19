"""GitHub integration: workflows that are safe with strangers' pull requests and call commands that exist.

The contribution path is an attack surface (docs: DESIGN.md), so these tests
hold the workflows to it: `pull_request` only, no default permissions, actions
pinned to full commits, credentials not kept, no pull-request data expanded in
scripts, and zizmor's offline audit clean.  They also run every command the
workflows, the pre-commit hooks and the VS Code task name through the real
argument parser.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from carehub.cli import _parser

from .conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # BaseLoader builds only strings: "on" stays "on"


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _check_command(words: list[str]) -> None:
    """A command line the workflows or hooks run must exist and parse."""
    if words[0] in ("python3", "python"):
        script = ROOT / words[1]
        assert script.is_file(), f"{words[1]} does not exist"
        if script.name == "check":
            _parser().parse_args(["check", *words[2:]])
        elif script.name == "build":
            _parser().parse_args(["build", *words[2:]])
        return
    if Path(words[0]).name == "carehub":
        _parser().parse_args(words[1:])
        return
    if words[0].startswith(".venv/bin/"):
        assert words[0].removeprefix(".venv/bin/") in ("carehub", "ruff", "mypy", "pytest"), words
        return
    assert (ROOT / words[0]).is_file(), f"{words[0]} does not exist"


def test_there_are_check_and_deploy_workflows() -> None:
    assert {p.name for p in WORKFLOWS} == {"check.yml", "deploy.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_treats_pull_requests_as_untrusted(path: Path) -> None:
    workflow = _load(path)
    triggers = set(workflow["on"])
    assert not triggers & {"pull_request_target", "workflow_run", "issue_comment"}, triggers
    assert workflow["permissions"] == {}, "no permissions by default"
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {name} must say which permissions it needs"
        assert "write" not in json.dumps(job["permissions"]) or name == "deploy"
    for step in _steps(workflow):
        if "uses" in step:
            assert PINNED.match(step["uses"]), f"{step['uses']} is not pinned to a full commit"
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] == "false"
        if "run" in step:
            assert "${{" not in step["run"], "pass expressions through env:, never inside a script"


def test_the_pull_request_workflow_checks_with_annotations_builds_then_runs_the_gates() -> None:
    """The story job runs exactly what a story must pass, in order, whatever the pull request changes."""
    workflow = _load(ROOT / ".github" / "workflows" / "check.yml")
    assert set(workflow["on"]) == {"pull_request", "push"}
    stories = workflow["jobs"]["stories"]
    assert all("if" not in step for step in stories["steps"]), "a story job step must never be skipped"
    runs = [step["run"] for step in stories["steps"] if "run" in step]
    check = runs.index("python3 scripts/check --format github")
    build = next(i for i, run in enumerate(runs) if run.startswith("python3 scripts/build"))
    gates = runs.index(".ci/gates")
    assert check < build < gates
    # .ci/gates runs the public-site gates (tests/browser) with skips as failures, like .ci/run.
    script = (ROOT / ".ci" / "gates").read_text()
    assert "CAREHUB_CI=1" in script and ".ci/tools" in script and "python3 scripts/gates" in script
    assert "tests/browser" in (ROOT / "scripts" / "gates").read_text()
    assert ".ci/tools" in (ROOT / ".ci" / "run").read_text()


def test_the_deploy_workflow_publishes_site_from_main_only() -> None:
    workflow = _load(ROOT / ".github" / "workflows" / "deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "pull_request" not in workflow["on"]
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    upload = next(s for s in _steps(workflow) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site/"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_command_a_workflow_runs_exists(path: Path) -> None:
    for step in _steps(_load(path)):
        for line in step.get("run", "").splitlines():
            words = shlex.split(line)
            if not words or "=" in words[0] or words[0] in ("export",):
                continue
            _check_command(words)


def test_zizmor_finds_nothing_offline() -> None:
    zizmor = Path(sys.executable).parent / "zizmor"
    assert zizmor.exists(), "zizmor is in the dev lock; run python3 scripts/test to install it"
    inputs = [".github/workflows", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml"]
    result = subprocess.run(
        [str(zizmor), "--offline", "--persona", "auditor", "--no-progress", *inputs],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_hooks_run_real_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "carehub-check")
    _check_command(shlex.split(hook["entry"]))
    assert hook["language"] == "python"
    pattern = re.compile(hook["files"])
    assert pattern.search("stories/failures/shared-record-too-soon.md")
    assert pattern.search("data/sites/sutton-homes-of-care.yml")
    assert not pattern.search("src/carehub/cli.py")
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    for local in config["repos"][0]["hooks"]:
        _check_command(shlex.split(local["entry"]))


@pytest.mark.parametrize("path", sorted((ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml")), ids=lambda p: p.name)
def test_issue_templates_are_valid(path: Path) -> None:
    template = yaml.safe_load(path.read_text())
    if path.name == "config.yml":
        assert template["blank_issues_enabled"] is False
        assert any(link["url"].startswith("mailto:") for link in template["contact_links"])
        return
    assert template["name"] and template["description"]
    ids = [item["id"] for item in template["body"] if "id" in item]
    assert len(ids) == len(set(ids))
    assert any(item.get("validations", {}).get("required") for item in template["body"])


def test_vscode_settings_point_at_the_committed_schemas() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text())
    for schema_path in settings["yaml.schemas"]:
        assert (ROOT / schema_path).is_file()
    extensions = json.loads((ROOT / ".vscode" / "extensions.json").read_text())
    assert "redhat.vscode-yaml" in extensions["recommendations"]


def test_vscode_task_problem_matcher_reads_real_check_output(project: Any) -> None:
    tasks = json.loads((ROOT / ".vscode" / "tasks.json").read_text())
    task = tasks["tasks"][0]
    assert task["args"][:1] == ["check"]
    _parser().parse_args(task["args"])
    patterns = [re.compile(m["pattern"]["regexp"]) for m in task["problemMatcher"]]
    bad = "---\ntitle: Hi\ntype: failure\nbarriers: [IT]\n---\n"
    root = project({"failures/bad-one.md": bad, "failures/Bad_Name.md": bad})
    output = subprocess.run(
        [sys.executable, "-m", "carehub", "--root", str(root), *task["args"]],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    annotations = [line for line in output.splitlines() if line.startswith("::")]
    assert annotations
    for line in annotations:
        assert any(p.match(line) for p in patterns), line
    first = patterns[0].match(next(line for line in annotations if "bad-one.md,line=4,col=" in line))
    assert first is not None
    assert first.group(2) == "stories/failures/bad-one.md" and first.group(5) == "CH203"
