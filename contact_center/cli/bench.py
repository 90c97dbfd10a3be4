"""`contact-center bench KIND …`: measured figures for speed and memory goals."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from typing import Any

from contact_center import bench


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("bench", help="run a benchmark and print its figures")
    kinds = parser.add_subparsers(dest="kind", metavar="KIND")
    kinds.required = True
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{bench.__name__}.{info.name}")
        register_kind = getattr(module, "register", None)
        if register_kind is not None:
            register_kind(kinds)
