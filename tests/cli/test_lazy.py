"""The lazily loaded subcommands: the group's help and completion match the real commands."""

from __future__ import annotations

import click
import pytest
from click.shell_completion import ShellComplete

from losscli.cli import COMMANDS, main
from losscli.cli.lazy import LazyCommand, LazyCommands


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_short_help_is_the_commands_own(name: str) -> None:
    command = COMMANDS[name].load()
    assert command.name == name
    stand_in = click.Command(name, help=COMMANDS[name].help)
    for limit in (20, 45, 60, 74, 120, 200):
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), (
            f"COMMANDS[{name!r}].help is stale: copy the first sentence of its docstring"
        )


def test_every_command_module_is_registered() -> None:
    from pathlib import Path

    import losscli.cli

    modules = {path.stem for path in Path(losscli.cli.__file__).parent.glob("*_cmd.py")}
    registered = {entry.target.partition(":")[0].rsplit(".", 1)[1] for entry in COMMANDS.values()}
    assert registered == modules


def test_the_mapping_loads_on_access_and_keeps_its_names() -> None:
    loaded: list[str] = []
    commands = LazyCommands(
        {"list": COMMANDS["list"]}, on_load=lambda command: loaded.append(command.name or "")
    )
    assert "list" in commands and list(commands) == ["list"] and len(commands) == 1
    assert commands.short_help("list", 100) == COMMANDS["list"].help
    assert loaded == []
    assert commands["list"] is commands["list"]
    assert loaded == ["list"]
    extra = click.Command("extra", help="An extra command.")
    commands["extra"] = extra
    assert (
        list(commands) == ["list", "extra"] and commands.short_help("extra") == "An extra command."
    )
    del commands["extra"]
    assert "extra" not in commands
    with pytest.raises(KeyError):
        commands["nope"]
    with pytest.raises(KeyError):
        del commands["nope"]


def test_a_bad_target_fails_on_load() -> None:
    with pytest.raises(AssertionError):
        LazyCommand("losscli.cli:COMMANDS", "Not a command.").load()


def test_options_show_their_environment_variables() -> None:
    option = next(p for p in main.commands["compute"].params if p.name == "batch_size")
    assert isinstance(option, click.Option) and option.show_envvar


def test_subcommand_names_complete_with_their_short_help() -> None:
    completion = ShellComplete(main, {}, "losscli", "_LOSSCLI_COMPLETE")
    items = completion.get_completions([], "c")
    assert [(item.value, item.help) for item in items] == [
        (name, main.commands[name].get_short_help_str()) for name in ("compare", "compute", "curve")
    ]
    options = [item.value for item in completion.get_completions([], "--")]
    assert "--version" in options and "--help" in options
