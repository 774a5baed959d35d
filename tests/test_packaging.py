"""The release build: sdist and wheel carry the rules, and the installed wheel decides anywhere."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import incident_rules

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parent.parent
# Every file under rules/: the rulesets, and the policy tests of them in rules/tests/.
RULES = sorted(path.relative_to(ROOT / "rules").as_posix() for path in (ROOT / "rules").rglob("*.yaml"))
SEED_NAME = "inc-2025-0142.json"
#: Generous: a build or an install reaches the package registries and may compile nothing.
TIMEOUT = 600


def run(command: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``command`` run in ``cwd`` with no trace of the checkout in its environment."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel ``python -m build`` makes, the wheel built from the sdist."""
    outdir = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", outdir, ROOT], cwd=outdir)
    return outdir


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` of a fresh venv outside the checkout with only the wheel installed."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=venv.parent)
    (wheel,) = dist.glob("*.whl")
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], cwd=venv.parent)
    return venv / "bin"


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory outside the checkout holding a copy of the seed example."""
    directory = tmp_path_factory.mktemp("elsewhere")
    shutil.copy(ROOT / "examples" / SEED_NAME, directory / SEED_NAME)
    return directory


class TestArtifacts:
    """``python -m build`` as a release runs it."""

    def test_the_sdist_carries_every_rules_file_at_its_root(self, dist: Path) -> None:
        """The sdist holds ``rules/<file>.yaml`` for each shipped rules file, as files."""
        (sdist,) = dist.glob("*.tar.gz")
        with tarfile.open(sdist) as archive:
            members = {Path(*Path(m.name).parts[1:]).as_posix(): m for m in archive.getmembers()}
        assert sorted(name[len("rules/") :] for name in members if name.startswith("rules/")) == RULES
        assert all(members[f"rules/{name}"].isfile() for name in RULES)

    def test_the_sdist_holds_nothing_from_a_hidden_folder_or_a_virtualenv(self, dist: Path) -> None:
        """No sdist file lies under a hidden folder (``.venv-*``, caches) or a ``site-packages``."""
        (sdist,) = dist.glob("*.tar.gz")
        with tarfile.open(sdist) as archive:
            folders = [Path(member.name).parts[1:-1] for member in archive.getmembers() if member.isfile()]
        strays = {
            part for parts in folders for part in parts if part.startswith(".") or part == "site-packages"
        }
        assert not strays

    def test_the_wheel_carries_every_rules_file_inside_the_package(self, dist: Path) -> None:
        """The wheel holds ``incident_rules/rules/<file>.yaml`` for each shipped rules file."""
        (wheel,) = dist.glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
        prefix = "incident_rules/rules/"
        assert sorted(name[len(prefix) :] for name in names if name.startswith(prefix)) == RULES


class TestInstalledWheel:
    """The wheel installed in a fresh venv, run from a directory that is not the checkout."""

    def test_the_cli_assesses_the_example_citing_the_shipped_rules(
        self, installed: Path, elsewhere: Path
    ) -> None:
        """``incident-rules assess`` decides, each decision citing ``rules/<file>.yaml:<line>``."""
        options = ["--at", "2025-06-15T14:30:00Z", "--format", "json"]
        done = run([installed / "incident-rules", "assess", SEED_NAME, *options], cwd=elsewhere)
        data = json.loads(done.stdout)
        decisions = [data["severity"], data["mitigation"], data["remediation"], *data["communication"]]
        sources = [(decision["ruleset"], decision["source"]) for decision in decisions]
        assert all(re.fullmatch(rf"rules/{name}\.yaml:\d+", source) for name, source in sources), sources

    def test_the_package_imported_is_the_installed_one(self, installed: Path, elsewhere: Path) -> None:
        """``incident_rules`` comes from the venv's site-packages, not from the checkout."""
        code = "import incident_rules; print(incident_rules.__file__)"
        done = run([installed / "python", "-c", code], cwd=elsewhere)
        assert Path(done.stdout.strip()).is_relative_to(installed.parent)

    def test_a_plain_install_runs_on_the_native_backend(self, installed: Path, elsewhere: Path) -> None:
        """Without the ``durable`` extra ``Engine.default()`` works, natively."""
        code = "import incident_rules; print(incident_rules.Engine.default().backend)"
        done = run([installed / "python", "-c", code], cwd=elsewhere)
        assert done.stdout.strip() == "native"

    def test_python_m_incident_rules_reports_the_version(self, installed: Path, elsewhere: Path) -> None:
        """``python -m incident_rules --version`` names the version this checkout declares."""
        done = run([installed / "python", "-m", "incident_rules", "--version"], cwd=elsewhere)
        assert incident_rules.__version__ in done.stdout

    def test_the_version_attribute_is_the_installed_version(self, installed: Path, elsewhere: Path) -> None:
        """``incident_rules.__version__`` equals the installed distribution's metadata version."""
        code = (
            "import importlib.metadata, incident_rules; "
            "print(incident_rules.__version__ == importlib.metadata.version('incident-rules'))"
        )
        done = run([installed / "python", "-c", code], cwd=elsewhere)
        assert done.stdout.strip() == "True"

    def test_the_demo_runs_from_the_example_shipped_in_the_wheel(
        self, installed: Path, elsewhere: Path
    ) -> None:
        """``incident-rules demo`` runs outside the checkout, on the seed the wheel carries."""
        done = run([installed / "incident-rules", "demo", "--explain", "none"], cwd=elsewhere)
        assert ("severity: SEV1" in done.stdout, f"incident_rules/examples/{SEED_NAME}" in done.stdout) == (
            True,
            True,
        )
