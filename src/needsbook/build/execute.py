"""Run one chapter template with papermill and turn failures into a BuildError."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import nbformat

from needsbook.build import interrupts
from needsbook.errors import BuildError

HIDDEN_TAGS = {"parameters", "injected-parameters"}
#: What the build tells every chapter: it is shown in the book, whose pages load the chart
#: libraries themselves (a template run by hand defaults to "jupyter").
BOOK_PARAMETERS = {"target": "book"}


def execute_notebook(
    template: Path, output: Path, parameters: dict[str, Any], keep_failed: Path | None = None
) -> None:
    """Execute ``template`` into ``output``; on error name the notebook, cell and exception.

    A failed notebook (with its traceback) is copied to ``keep_failed`` when given, since
    ``output`` may be in a staging folder that is about to be removed.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from needsbook.build.kernel import BuildKernelManager

    logging.getLogger("papermill").setLevel(logging.WARNING)
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        with interrupts.keep_handlers():
            pm.execute_notebook(
                str(template),
                str(output),
                parameters={**parameters, **BOOK_PARAMETERS},
                kernel_name="python3",
                kernel_manager_class=BuildKernelManager,
                progress_bar=False,
                request_save_on_cell_execute=False,
                cwd=str(template.parent),
            )
    except PapermillExecutionError as exc:
        interrupts.check()  # a cell stopped by Ctrl-C is an interrupt, not a failure
        first_line = next((ln for ln in exc.source.splitlines() if ln.strip()), "")
        kept = output
        if keep_failed is not None and output.is_file():
            keep_failed.mkdir(parents=True, exist_ok=True)
            kept = keep_failed / output.name
            shutil.copy2(output, kept)
        raise BuildError(
            f"notebook {template.name} failed in cell {exc.cell_index} "
            f"(execution count {exc.exec_count}, starting `{first_line.strip()}`): "
            f"{exc.ename}: {exc.evalue}\n  executed copy with the traceback: {kept}"
        ) from exc
    hide_parameter_cells(output)


def hide_parameter_cells(path: Path) -> None:
    """Tag parameter cells ``remove-cell`` so the book does not show them."""
    nb = nbformat.read(path, as_version=4)
    hide_parameters(nb)
    nbformat.write(nb, path)


def hide_parameters(nb: nbformat.NotebookNode) -> None:
    """:func:`hide_parameter_cells` for a notebook in memory."""
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if HIDDEN_TAGS & set(tags) and "remove-cell" not in tags:
            tags.append("remove-cell")
