"""Types of client settings and arguments shared by the hand-written and the generated modules. The settings and
arguments themselves are checked by the core, against the operation model."""

from __future__ import annotations

import os
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]
"""A file system path: a ``str`` or any ``os.PathLike`` (``pathlib.Path``)."""
