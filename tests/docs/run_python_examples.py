#!/usr/bin/python3
"""Keeps the Python docs honest: every ```python block marked `<!-- example -->`
in README.md and docs/*.md runs, in order, each document as one Jupyter
notebook (a real kernel, as a user's notebook runs them), in a work folder with
the bundled data. Fails on any error; the Python guide must also show charts
inline (image/svg+xml) and a progress bar while it searches.

Usage: run_python_examples.py SOURCE_DIR BIN_DIR   (PYTHONPATH: the built package)
"""
import os
import re
import shutil
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

source, bin_dir = sys.argv[1:3]
os.environ["PATH"] = bin_dir + os.pathsep + os.environ["PATH"]
work = tempfile.mkdtemp(prefix="shipml-python-docs-")
os.symlink(os.path.join(source, "data"), os.path.join(work, "data"))
os.symlink(os.path.join(source, "docs"), os.path.join(work, "docs"))
os.environ["SHIPML_TRACKING_URI"] = os.path.join(work, "runs")
os.environ["SHIPML_TRACKING"] = "on"
os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # the kernel's debugger: no warnings about frozen modules

# The Python quick start in the README is the file `make quickstart` runs.
quickstart = open(os.path.join(source, "docs", "examples", "quickstart.py"), encoding="utf-8").read()
if f"```python\n{quickstart}```" not in open(os.path.join(source, "README.md"), encoding="utf-8").read():
    sys.exit("README.md does not show docs/examples/quickstart.py verbatim")

docs = [os.path.join(source, "README.md")] + sorted(
    os.path.join(source, "docs", f) for f in os.listdir(os.path.join(source, "docs")) if f.endswith(".md"))
blocks_run = 0
try:
    for doc in docs:
        text = open(doc, encoding="utf-8").read()
        blocks = re.findall(r"<!-- example -->\s*\n```python\n(.*?)```", text, re.S)
        if not blocks:
            continue
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(b) for b in blocks])
        client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": work}})
        try:
            client.execute()
        except CellExecutionError as e:
            sys.exit(f"{os.path.relpath(doc, source)}: an example failed:\n{e}")
        outputs = [o for cell in notebook.cells for o in cell.outputs]
        if doc.endswith("python.md"):
            svgs = sum("image/svg+xml" in o.get("data", {}) for o in outputs)
            bars = [o["text"] for o in outputs if o.get("name") == "stderr" and "search hist_gbdt [" in o["text"]
                    and "20/20" in o["text"] and "finished" in o["text"]]
            if svgs < 2:
                sys.exit(f"docs/python.md: {svgs} charts shown inline, expected 3")
            if not bars:
                sys.exit("docs/python.md: the search showed no progress bar in the notebook")
        blocks_run += len(blocks)
        print(f"{os.path.relpath(doc, source)}: {len(blocks)} Python examples ran as a notebook")
finally:
    shutil.rmtree(work, ignore_errors=True)
if blocks_run == 0:
    sys.exit("no Python examples found")
