"""Subcommands imported only when used, so ``losscli --help`` does not load every command.

A command module pulls in what its command runs (the compare engine, the doctor, ...). The
group knows each command by name, by where it lives (``"module:attribute"``) and by the first
sentence of its docstring, which is all ``losscli --help`` and shell completion show; the
module is imported when the command is invoked, its help is asked for, or it is looked up in
``group.commands``. tests/cli/test_lazy.py checks the sentences match the commands.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from gettext import gettext as _
from typing import Any

import click


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives and its short help, known without importing it."""

    target: str  # "package.module:attribute"
    help: str  # the first sentence of the command's docstring

    def load(self) -> click.Command:
        module, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command), self.target
        return command


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's ``commands``: names are known up front, commands are imported on access.

    ``on_load`` runs once on each command when it is first imported.
    """

    def __init__(
        self,
        lazy: dict[str, LazyCommand],
        on_load: Callable[[click.Command], None] = lambda command: None,
    ) -> None:
        self._lazy = dict(lazy)
        self._loaded: dict[str, click.Command] = {}
        self._on_load = on_load

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in self._lazy:
                raise KeyError(name)
            command = self._lazy[name].load()
            self._on_load(command)
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._lazy.pop(name, None)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._lazy and name not in self._loaded:
            raise KeyError(name)
        self._lazy.pop(name, None)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._lazy), **dict.fromkeys(self._loaded)})

    def __len__(self) -> int:
        return len(self._lazy.keys() | self._loaded.keys())

    def __contains__(self, name: object) -> bool:
        return name in self._lazy or name in self._loaded

    def short_help(self, name: str, limit: int = 45) -> str:
        """What ``self[name].get_short_help_str(limit)`` gives, importing nothing new."""
        if name in self._loaded:
            return self._loaded[name].get_short_help_str(limit)
        # A stand-in command shortens the sentence exactly as the real one would.
        return click.Command(name, help=self._lazy[name].help).get_short_help_str(limit)


class LazyGroup(click.Group):
    """Group help and subcommand completion from a :class:`LazyCommands` without imports."""

    commands: MutableMapping[str, click.Command]

    def _short_help(self, name: str, limit: int = 45) -> str | None:
        """The short help of a visible subcommand; None for a hidden or unknown one."""
        if isinstance(self.commands, LazyCommands) and name in self.commands:
            return self.commands.short_help(name, limit)
        command = self.commands.get(name)
        if command is None or command.hidden:
            return None
        return command.get_short_help_str(limit)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = [name for name in self.list_commands(ctx) if self._short_help(name) is not None]
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)  # as click does
        rows = [(name, self._short_help(name, limit) or "") for name in names]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        results = [
            CompletionItem(name, help=self._short_help(name))
            for name in self.list_commands(ctx)
            if name.startswith(incomplete) and self._short_help(name) is not None
        ]
        # The group's own options, as click.Command.shell_complete gives them.
        results.extend(click.Command.shell_complete(self, ctx, incomplete))
        return results
