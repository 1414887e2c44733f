"""Write output files so that a file that exists is complete.

Every output (``summary.json``, ``kpis.csv``, ``report.html``, figures, parquet tables, sweep
parts) is written by :func:`replacing`: under a temporary name in the same directory, flushed
to disk, then renamed into place with :func:`os.replace` (atomic on one file system). A run
killed mid-way leaves at most a temporary file, never a truncated output under its real name.

A temporary name says which process writes it (``.tmp~<host>~<pid>~<token>~<name>``), so a
cleaner removes only temporaries whose writer is gone (:func:`is_stale_temp`) and two sweeps
sharing a folder never delete each other's file mid-write. A disk that is full, read-only or
not ours turns into :class:`~hfsim.config.OutputError` naming the file, and the files this
process wrote under a directory can be removed again (:func:`discard_written`), so a failed
run leaves nothing that looks like a result.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hfsim.config.validate import OutputError

TEMP_PREFIX = ".tmp~"
_LEGACY_PREFIX = ".tmp-"  # temporaries of earlier versions: their writers are gone
_TEMP = re.compile(r"\.tmp~(?P<host>[^~]*)~(?P<pid>\d+)~[0-9a-f]+~(?P<name>.+)")
STALE_AFTER_SECONDS = 24 * 3600  # a temporary this old is a leftover, wherever its writer ran
_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}
_HOST = socket.gethostname().replace("~", "-")
_WRITTEN: list[Path] = []  # outputs this process has put in place (see discard_written)


def temp_path(path: Path) -> Path:
    """A temporary name for ``path`` in its directory, unique to this process and call.

    The real name stays at the end, so writers that pick a format from the suffix
    (``to_parquet``, ``savefig``) write the right one.
    """
    token = secrets.token_hex(4)
    return path.with_name(f"{TEMP_PREFIX}{_HOST}~{os.getpid()}~{token}~{path.name}")


def disk_error(path: Path, err: OSError) -> OutputError:
    """An :class:`OutputError` for a write that the disk refused."""
    reason = err.strerror or type(err).__name__
    return OutputError(
        f"cannot write {path}: {reason}; free some space or choose a writable output "
        "directory (hydra.run.dir=DIR)"
    )


def make_dir(path: Path) -> Path:
    """Create an output directory (and its parents).

    Raises:
        OutputError: the directory cannot be created.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        if err.errno in _DISK_ERRORS or isinstance(err, FileExistsError | NotADirectoryError):
            raise disk_error(path, err) from None
        raise
    return path


@contextmanager
def replacing(path: Path | str, record: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` atomically.

    On any error the temporary file is removed and ``path`` is left as it was.

    Args:
        path: The output's real name.
        record: Remember it for :func:`discard_written` (not for sweep parts, which stay
            valid for a resume whatever happens after them).

    Raises:
        OutputError: the disk is full or read-only, or the directory not writable.
    """
    path = Path(path)
    tmp = temp_path(path)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        if err.errno in _DISK_ERRORS:
            raise disk_error(path, err) from None
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if record:
        _WRITTEN.append(path)


def _fsync(path: Path) -> None:
    """Flush a written file to disk, so a crash after the rename cannot leave it empty."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text(path: Path | str, text: str) -> Path:
    """Write a text file (UTF-8) atomically; see :func:`replacing`."""
    path = Path(path)
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def write_bytes(path: Path | str, data: bytes) -> Path:
    """Write a binary file atomically; see :func:`replacing`."""
    path = Path(path)
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def is_stale_temp(path: Path) -> bool:
    """Whether a temporary file is a leftover whose writer is gone (safe to delete).

    A temporary of a running process on this machine is never stale; one from another
    machine (a Dask worker) is stale after :data:`STALE_AFTER_SECONDS`.
    """
    name = path.name
    if name.startswith(_LEGACY_PREFIX):
        return True
    match = _TEMP.fullmatch(name)
    if match is None:
        return False
    if match["host"] == _HOST and not _alive(int(match["pid"])):
        return True
    try:
        return time.time() - path.stat().st_mtime > STALE_AFTER_SECONDS
    except FileNotFoundError:
        return False


def is_temp(path: Path) -> bool:
    """Whether a file name is a temporary name (of this or an earlier version)."""
    return path.name.startswith((TEMP_PREFIX, _LEGACY_PREFIX))


def remove_stale_temps(directory: Path) -> list[Path]:
    """Delete the stale temporary files in a directory; return them."""
    removed = []
    if directory.is_dir():
        for path in directory.iterdir():
            if is_temp(path) and is_stale_temp(path):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def written_count() -> int:
    """A mark for :func:`discard_written`: how many outputs this process has written."""
    return len(_WRITTEN)


def discard_written(directory: Path, since: int = 0) -> None:
    """Remove the outputs written under ``directory`` since a mark (after a failed write)."""
    root = Path(directory).resolve()
    for path in reversed(_WRITTEN[since:]):
        if path.resolve().is_relative_to(root):
            path.unlink(missing_ok=True)
            parent = path.parent
            while parent.resolve() != root and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()  # an emptied figures/ directory
                parent = parent.parent
    del _WRITTEN[since:]
