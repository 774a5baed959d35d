"""examples/what-if.ipynb: it runs top to bottom, plots the sweep, and is stored without outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOK = EXAMPLES / "what-if.ipynb"


def outputs(notebook: Any) -> list[dict[str, Any]]:
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


@pytest.fixture(scope="module")
def executed() -> Any:
    """The notebook, executed from examples/ in a fresh kernel (any cell's error fails here)."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLES)}}
    )
    client.execute()
    return notebook


def sweep(notebook: Any) -> dict[float, int]:
    """The sweep the notebook printed: incidents changing severity, by threshold."""
    (printed,) = [
        output["text"]
        for output in outputs(notebook)
        if output.get("name") == "stdout" and "0.05" in output["text"]
    ]
    return {float(threshold): count for threshold, count in json.loads(printed).items()}


def test_the_notebook_is_stored_without_outputs() -> None:
    """No code cell of the stored notebook has outputs or an execution count."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [(cell.outputs, cell.execution_count) for cell in code] == [([], None)] * len(code)


@pytest.mark.slow
def test_the_notebook_plots_the_sweep(executed: Any) -> None:
    """Executed, the notebook shows one figure as a PNG."""
    assert sum("image/png" in output.get("data", {}) for output in outputs(executed)) == 1


@pytest.mark.slow
def test_the_sweep_covers_5_to_20_percent(executed: Any) -> None:
    """The sweep reports every whole percent from 5 % to 20 %."""
    assert sorted(sweep(executed)) == [percent / 100 for percent in range(5, 21)]


@pytest.mark.slow
def test_the_shipped_threshold_changes_nothing(executed: Any) -> None:
    """At the shipped 10 % no incident changes severity, and some do elsewhere."""
    changed = sweep(executed)
    assert (changed[0.10], max(changed.values()) > 0) == (0, True)


@pytest.mark.slow
def test_moving_further_from_the_shipped_threshold_changes_no_fewer(executed: Any) -> None:
    """On each side of 10 %, the count of changed incidents never falls as the threshold moves away."""
    changed = sweep(executed)
    below = [changed[t] for t in sorted(changed, reverse=True) if t <= 0.10]
    above = [changed[t] for t in sorted(changed) if t >= 0.10]
    assert (below == sorted(below), above == sorted(above)) == (True, True)


@pytest.mark.slow
def test_the_assessment_and_the_diff_display_as_html(executed: Any) -> None:
    """The seed's assessment and the policy diff show as HTML tables."""
    shown = [
        output["data"]["text/html"] for output in outputs(executed) if "text/html" in output.get("data", {})
    ]
    assert [("<table>" in html, html.count("<strong>") > 0) for html in shown] == [(True, True)] * 2
