"""Progress of long work (boosting rounds, trees, folds, candidates): a bar on
stderr in a terminal, a line that updates in place in a Jupyter notebook, and
nothing in pipes, scripts with redirected output, or after progress(False)."""
from __future__ import annotations

import sys
from typing import Optional

from . import _core

_setting: Optional[bool] = None  # None: on in a terminal or a notebook
_last: Optional[tuple] = None     # the state last drawn, while work runs


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    try:
        ip = shell.get_ipython() if shell else None  # type: ignore[attr-defined]
    except Exception:
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def _showing() -> bool:
    if _setting is not None:
        return _setting
    stream = sys.stderr
    return stream is not None and (_in_notebook() or (hasattr(stream, "isatty") and stream.isatty()))


def _line(label: str, done: int, total: int, elapsed: float, note: str) -> str:
    width = 30
    filled = width * done // total if total else width
    left = elapsed * (total - done) / done if done else 0.0
    bar = "#" * filled + "." * (width - filled)
    return f"{label} [{bar}] {done}/{total}  {elapsed:.1f}s elapsed, {left:.1f}s left  {note}".rstrip()


def _draw(label, done, total, elapsed, note) -> None:
    """Draws the state of the work, or (label None) its end: a terminal's line is
    cleared, as the command line clears it; a notebook keeps a last line that
    says how the work ended ("finished", "interrupted" or "failed")."""
    global _last
    if not _showing():
        return
    stream = sys.stderr
    notebook = _in_notebook()
    if label is None:
        if _last is not None:
            if notebook:
                label, done, total, elapsed, last_note = _last
                shown = total if note == "finished" else done
                ending = f"{last_note}; {note}" if last_note else note
                stream.write("\r" + _line(label, shown, total, elapsed, ending) + "\n")
            else:
                stream.write("\r\033[K")
            stream.flush()
        _last = None
        return
    stream.write("\r" + _line(label, done, total, elapsed, note) + ("" if notebook else "\033[K"))
    stream.flush()
    _last = (label, done, total, elapsed, note)


def progress(enabled: Optional[bool] = None) -> None:
    """Shows progress bars (True), hides them (False), or shows them only in a
    terminal or a notebook (None, the default)."""
    global _setting
    _setting = enabled


_core.set_progress_hook(_draw)
