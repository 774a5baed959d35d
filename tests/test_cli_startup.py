"""What start-up loads: the package root lazily, each command only its own modules; the on-disk caches."""

from __future__ import annotations

import json
import marshal
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import incident_rules
from incident_rules import _diskcache as diskcache
from incident_rules._authoring import cache
from incident_rules._authoring.layers import Loaded

ROOT = Path(__file__).parent.parent
SEED = str(ROOT / "examples" / "inc-2025-0142.json")

#: Run in a fresh interpreter: the command, then which of these modules it had imported.
_PROBE = """
import json, sys
from incident_rules._cli import main
try:
    main(sys.argv[1:], prog_name="incident-rules")
except SystemExit:
    pass
heavy = ["jinja2", "rich", "tqdm", "incident_rules._replay", "incident_rules._authoring.lint"]
heavy += ["yaml", "incident_rules._rulesets.checking", "incident_rules._gate.features"]
print(json.dumps({name: name in sys.modules for name in heavy}), file=sys.stderr)
"""

ASSESS = ("assess", SEED, "--at", "2025-06-15T14:30:00Z")


def loaded_by(*args: str, env: dict[str, str] | None = None) -> dict[str, bool]:
    """Which heavy modules ``incident-rules ARGS`` imports, run in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    loaded: dict[str, bool] = json.loads(done.stderr.strip().splitlines()[-1])
    return loaded


class TestLazyImports:
    """Start-up imports only what the command runs."""

    def test_assess_piped_loads_no_templates_progress_bar_rich_or_authoring(self) -> None:
        """``assess`` to a pipe imports neither Jinja2, rich, tqdm, replay nor lint."""
        chosen = ("jinja2", "rich", "tqdm", "incident_rules._replay", "incident_rules._authoring.lint")
        loaded = loaded_by(*ASSESS)
        assert [name for name in chosen if loaded[name]] == []

    def test_assess_with_the_rules_cache_warm_loads_no_yaml_or_gate(self, tmp_path: Path) -> None:
        """With the shipped rules cached, ``assess`` imports no YAML parser, rules checker or gate."""
        env = {**os.environ, "INCIDENT_RULES_CACHE_DIR": str(tmp_path)}
        loaded_by(*ASSESS, env=env)  # fills the cache
        assert [name for name, present in loaded_by(*ASSESS, env=env).items() if present] == []

    def test_assess_with_the_rules_cache_off_reads_the_yaml(self) -> None:
        """With no cache the rules are read from their YAML files: the probe sees the parser load."""
        env = {**os.environ, "INCIDENT_RULES_CACHE_DIR": "off"}
        assert loaded_by(*ASSESS, env=env)["yaml"]

    def test_importing_the_package_imports_none_of_its_modules(self) -> None:
        """``import incident_rules`` alone loads no submodule of it."""
        code = (
            "import sys, incident_rules; print([m for m in sys.modules if m.startswith('incident_rules.')])"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == "[]"

    @pytest.mark.parametrize("name", incident_rules.__all__)
    def test_every_public_name_is_importable_from_the_root(self, name: str) -> None:
        """Each name of ``__all__`` is an attribute of the package."""
        assert getattr(incident_rules, name) is not None

    def test_an_unknown_name_is_an_attribute_error_naming_it(self) -> None:
        """``incident_rules.Engin`` raises AttributeError with the name."""
        with pytest.raises(AttributeError, match="'Engin'"):
            incident_rules.Engin  # noqa: B018 -- the read is what is tested

    def test_the_public_names_are_listed_by_dir(self) -> None:
        """``dir(incident_rules)`` lists every name of ``__all__`` before any is read."""
        assert set(incident_rules.__all__) <= set(dir(incident_rules))


def _counting(value: object) -> tuple[list[int], object]:
    calls: list[int] = []

    def build() -> object:
        calls.append(1)
        return value

    return calls, build


@pytest.fixture
def cache_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The rules cache in a fresh directory of its own."""
    monkeypatch.setenv("INCIDENT_RULES_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


SOURCES = [("rules/x.yaml", "ruleset: x\n")]


class TestRulesCache:
    """The checked shipped rules kept on disk, keyed by what built them."""

    def test_a_second_read_of_the_same_sources_does_not_build(self, cache_here: Path) -> None:
        """Two reads of the same sources build once and return equal values."""
        calls, build = _counting({"a": 1})
        first, second = (cache.cached("t", SOURCES, build, dict) for _ in range(2))
        assert (len(calls), first, second) == (1, {"a": 1}, {"a": 1})

    def test_changed_sources_are_built_again(self, cache_here: Path) -> None:
        """A changed rules text is a new entry: built again."""
        calls, build = _counting({"a": 1})
        cache.cached("t", SOURCES, build, dict)
        cache.cached("t", [("rules/x.yaml", "ruleset: y\n")], build, dict)
        assert len(calls) == 2

    def test_a_corrupt_entry_is_rebuilt(self, cache_here: Path) -> None:
        """A torn file in the cache is built again, not an error."""
        calls, build = _counting({"a": 1})
        cache.cached("t", SOURCES, build, dict)
        (entry,) = cache_here.glob("*.pickle")
        entry.write_bytes(b"\x80\x05torn")
        assert (cache.cached("t", SOURCES, build, dict), len(calls)) == ({"a": 1}, 2)

    def test_an_entry_built_from_other_sources_under_the_same_name_is_rebuilt(self, cache_here: Path) -> None:
        """A file whose stored key differs (a checksum collision) is not taken for the value."""
        cache.cached("t", SOURCES, lambda: {"a": 1}, dict)
        (entry,) = cache_here.glob("*.pickle")
        entry.write_bytes(pickle.dumps(("another key", {"stale": True})))
        calls, build = _counting({"a": 1})
        assert (cache.cached("t", SOURCES, build, dict), len(calls)) == ({"a": 1}, 1)

    def test_an_entry_of_another_type_is_rebuilt(self, cache_here: Path) -> None:
        """What is read must have the type asked for, else it is built again."""
        cache.cached("t", SOURCES, lambda: ["a list"], list)
        calls, build = _counting({"a": 1})
        assert (cache.cached("t", SOURCES, build, dict), len(calls)) == ({"a": 1}, 1)

    def test_off_writes_nothing(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """``INCIDENT_RULES_CACHE_DIR=off`` builds every time and writes no file."""
        monkeypatch.setenv("INCIDENT_RULES_CACHE_DIR", "off")
        monkeypatch.chdir(tmp_path)
        calls, build = _counting({"a": 1})
        cache.cached("t", SOURCES, build, dict)
        cache.cached("t", SOURCES, build, dict)
        assert (len(calls), list(tmp_path.iterdir())) == (2, [])

    def test_a_file_in_place_of_the_directory_still_returns_the_value(self, cache_here: Path) -> None:
        """A cache path that is a file is ignored: the value is built and returned."""
        cache_here.write_text("not a directory", encoding="utf-8")
        assert cache.cached("t", SOURCES, lambda: {"a": 1}, dict) == {"a": 1}

    def test_changed_sources_replace_the_entry_instead_of_adding_one(self, cache_here: Path) -> None:
        """However often the rules change, one kind keeps one file: the cache does not grow."""
        for text in ("ruleset: a\n", "ruleset: b\n", "ruleset: c\n"):
            cache.cached("t", [("rules/x.yaml", text)], lambda: {"a": 1}, dict)
        assert len(list(cache_here.iterdir())) == 1

    def test_an_entry_others_may_write_is_never_read(self, cache_here: Path) -> None:
        """A group- or world-writable entry could hold anyone's pickle: it is built again, not loaded."""
        cache.cached("t", SOURCES, lambda: {"a": 1}, dict)
        (entry,) = cache_here.glob("*.pickle")
        entry.chmod(0o666)
        calls, build = _counting({"a": 1})
        assert (cache.cached("t", SOURCES, build, dict), len(calls)) == ({"a": 1}, 1)

    def test_the_directory_is_made_for_this_user_alone(self, cache_here: Path) -> None:
        """The cache directory is created ``0700``."""
        cache.cached("t", SOURCES, lambda: {"a": 1}, dict)
        assert cache_here.stat().st_mode & 0o777 == 0o700

    def test_a_value_that_will_not_pickle_is_returned_and_leaves_no_file(self, cache_here: Path) -> None:
        """A failed write returns the value all the same and leaves no temporary file behind."""
        value = {"a": lambda: None}
        assert cache.cached("t", SOURCES, lambda: value, dict) is value
        assert list(cache_here.glob("*")) == []

    def test_no_home_directory_turns_the_cache_off(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a cache variable and with no home directory, there is no cache, and no error."""
        monkeypatch.delenv("INCIDENT_RULES_CACHE_DIR", raising=False)
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

        def no_home() -> Path:
            raise RuntimeError("Could not determine home directory.")

        monkeypatch.setattr(Path, "home", no_home)
        assert diskcache.cache_dir() is None

    def test_the_shipped_rules_read_from_the_cache_equal_those_read_from_the_files(
        self, cache_here: Path
    ) -> None:
        """In a fresh process, the rules the cache gives back equal the rules read from YAML."""
        code = (
            "import pickle, sys; from incident_rules._authoring.layers import _shipped_rules; "
            "sys.stdout.buffer.write(pickle.dumps(_shipped_rules()))"
        )
        env = {**os.environ, "INCIDENT_RULES_CACHE_DIR": str(cache_here)}
        runs = [
            subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=True)
            for _ in "ab"
        ]
        off = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            env={**env, "INCIDENT_RULES_CACHE_DIR": "off"},
            check=True,
        )
        first, second, uncached = (pickle.loads(done.stdout) for done in (*runs, off))
        assert (isinstance(first, Loaded), first == second == uncached, len(list(cache_here.glob("*")))) == (
            True,
            True,
            1,
        )


TEXT = "def _f0(f):\n    return f + 1\n"


def _loaded(text: str = TEXT, filename: str = "<test #0>") -> Callable[[int], int]:
    """``_f0`` of ``text``, compiled through a fresh code cache (as a new process would)."""
    namespace: dict[str, Any] = {}
    exec(diskcache.CodeCache().code(text, filename), namespace)
    function: Callable[[int], int] = namespace["_f0"]
    return function


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources the code cache compiles from now on."""
    compiled: list[str] = []

    def counting(text: str, *args: Any) -> Any:
        compiled.append(text)
        return compile(text, *args)

    monkeypatch.setattr(diskcache, "compile", counting, raising=False)
    return compiled


def _saved(text: str = TEXT) -> None:
    """Compile ``text`` in a fresh cache and write it, as a process does when it exits."""
    cached = diskcache.CodeCache()
    cached.code(text, "<test #0>")
    cached.save()


def _saved_entry(directory: Path) -> Path:
    """The cache file after ``TEXT`` was compiled and saved."""
    _saved()
    (entry,) = directory.glob("compiled-code-*")
    return entry


def _read_back(monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str]]:
    """``_f0(1)`` of ``TEXT`` in a fresh cache, and the sources that had to be compiled for it."""
    compiled = _compiles(monkeypatch)
    return _loaded()(1), compiled


class TestCodeCache:
    """The compiled generated code kept on disk, keyed by its whole source."""

    def test_code_saved_by_one_process_is_not_compiled_by_the_next(
        self, cache_here: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A source compiled and saved before is read back, not compiled again, and runs alike."""
        _saved()
        compiled = _compiles(monkeypatch)
        assert (_loaded()(41), compiled) == (42, [])

    def test_code_read_back_carries_the_file_name_asked_for(self, cache_here: Path) -> None:
        """Functions of cached code name the generated file of this process in tracebacks."""
        _saved()
        assert _loaded(filename="<ruleset x #7>").__code__.co_filename == "<ruleset x #7>"

    def test_a_changed_source_is_compiled_again(
        self, cache_here: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Another source text is never given the code of the one cached."""
        _saved()
        compiled = _compiles(monkeypatch)
        other = TEXT.replace("+ 1", "+ 2")
        assert (_loaded(other)(41), compiled) == (43, [other])

    def test_a_corrupt_file_is_compiled_again(
        self, cache_here: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A file whose bytes changed after it was written fails its checksum: compiled anew."""
        entry = _saved_entry(cache_here)
        header = entry.read_bytes()[: len(diskcache.CodeCache._header()) + 4]
        other = compile(TEXT.replace("+ 1", "+ 2"), "<other>", "exec")
        entry.write_bytes(header + marshal.dumps({TEXT: other}))
        assert _read_back(monkeypatch) == (2, [TEXT])

    def test_a_truncated_file_is_compiled_again(
        self, cache_here: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A torn file (cut short) is not read."""
        entry = _saved_entry(cache_here)
        entry.write_bytes(entry.read_bytes()[:20])
        assert _read_back(monkeypatch) == (2, [TEXT])

    def test_code_for_another_python_is_compiled_again(
        self, cache_here: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A file written for another Python version (or -O level) is stale: compiled anew."""
        with monkeypatch.context() as patched:
            patched.setattr(diskcache.CodeCache, "_header", staticmethod(lambda: b"IRcode2\n3.0.0 another\n"))
            _saved()
        loads = []
        monkeypatch.setattr(diskcache.marshal, "loads", lambda data: loads.append(data) or {})
        assert (_read_back(monkeypatch), loads) == ((2, [TEXT]), [])

    def test_a_file_others_may_write_is_never_read(
        self, cache_here: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A group- or world-writable file could hold anyone's code: it is compiled again, not loaded."""
        _saved_entry(cache_here).chmod(0o666)
        assert _read_back(monkeypatch) == (2, [TEXT])

    def test_another_users_file_is_never_read(
        self, cache_here: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A file owned by someone else is not loaded, whatever its mode."""
        _saved()
        real = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: real + 1)
        assert _read_back(monkeypatch) == (2, [TEXT])

    def test_without_user_ids_the_cache_is_off(
        self, cache_here: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Where ``os.getuid`` does not exist (Windows) no file could be told the user's: no cache."""
        _saved()
        monkeypatch.delattr(os, "getuid")
        assert diskcache.cache_dir() is None
        assert _read_back(monkeypatch) == (2, [TEXT])

    def test_an_unwritable_cache_still_gives_working_code(self, cache_here: Path) -> None:
        """Where the cache directory cannot be made, saving fails quietly and the code runs."""
        cache_here.write_text("not a directory", encoding="utf-8")
        _saved()
        assert _loaded()(1) == 2

    def test_off_writes_no_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """``INCIDENT_RULES_CACHE_DIR=off``: compiled code is never written."""
        monkeypatch.setenv("INCIDENT_RULES_CACHE_DIR", "off")
        monkeypatch.chdir(tmp_path)
        _saved()
        assert list(tmp_path.iterdir()) == []

    def test_the_file_keeps_only_the_latest_sources_up_to_its_limit(self, cache_here: Path) -> None:
        """Past ``limit`` sources the oldest are dropped, so the file does not grow without end."""
        cached = diskcache.CodeCache(limit=2)
        texts = [TEXT.replace("+ 1", f"+ {n}") for n in range(3)]
        for text in texts:
            cached.code(text, "<test>")
        cached.save()
        compiled_before = len(list(cache_here.glob("compiled-code-*")))
        assert (compiled_before, sorted(diskcache.CodeCache()._read())) == (1, sorted(texts[1:]))

    def test_a_source_used_again_outlives_newer_ones(self, cache_here: Path) -> None:
        """The least recently used source is dropped first: one read back counts as a use."""
        cached = diskcache.CodeCache(limit=2)
        texts = [TEXT.replace("+ 1", f"+ {n}") for n in range(3)]
        cached.code(texts[0], "<test>")
        cached.code(texts[1], "<test>")
        cached.code(texts[0], "<test>")
        cached.code(texts[2], "<test>")
        cached.save()
        assert sorted(diskcache.CodeCache()._read()) == sorted([texts[0], texts[2]])

    def test_an_assessment_from_cached_code_equals_one_without_the_cache(self, cache_here: Path) -> None:
        """In fresh processes, ``assess --format json`` prints the same bytes: cache cold, warm and off."""
        command = [sys.executable, "-m", "incident_rules", *ASSESS, "--format", "json"]
        env = {**os.environ, "INCIDENT_RULES_CACHE_DIR": str(cache_here)}
        cold, warm = (subprocess.run(command, capture_output=True, env=env, check=True).stdout for _ in "ab")
        off = subprocess.run(
            command, capture_output=True, env={**env, "INCIDENT_RULES_CACHE_DIR": "off"}, check=True
        ).stdout
        assert (len(list(cache_here.glob("compiled-code-*"))), cold == warm == off) == (1, True)

    @pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
    def test_a_forked_child_compiles_while_the_parent_holds_the_lock(self) -> None:
        """A fork while another thread holds the cache's lock leaves the child a lock of its own."""
        # In a fresh interpreter: forking pytest itself, with its threads, is not safe.
        code = (
            "import os; from incident_rules._diskcache import COMPILED\n"
            "COMPILED._lock.acquire()  # as another thread does while it compiles\n"
            "pid = os.fork()\n"
            "if pid == 0: os._exit(0 if COMPILED._lock.acquire(timeout=5) else 1)\n"
            "print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
        )
        assert done.stdout.strip() == "0"
