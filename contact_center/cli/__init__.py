"""`contact-center …`: one sub-command per module of this package.

Each module here exposes ``register(subparsers)``, which adds the parser of the command
of its name and sets ``func`` (taking the parsed namespace, returning an exit status).
Discovery keeps this file from becoming the place every feature has to edit.
"""

from __future__ import annotations

import argparse
import importlib
import keyword
import pkgutil
import sys
from collections.abc import Sequence


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command's parser; with ``command`` (a module's name), that command's only: each module imports what
    its command needs (the database layer, the CRM, the server), and a command should not wait for the rest."""
    parser = argparse.ArgumentParser(prog="contact-center", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))
    for name in [command] if command in names else names:
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The module of the command named first: each command is the module of its name (``import_`` for
    ``import``, a Python keyword)."""
    if not argv or argv[0].startswith("-"):
        return None
    return f"{argv[0]}_" if keyword.iskeyword(argv[0]) else argv[0]


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_of(given))
    args = parser.parse_args(given)
    try:
        status: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
