"""What a command can end with instead of output: the messages IOS prints for bad input."""


class CliError(Exception):
    """A message IOS prints instead of executing the command (already formatted)."""


class InvalidAt(Exception):
    """The token at ``index`` of the typed line is not acceptable; IOS prints a caret under it."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index


class Incomplete(Exception):
    """The line stopped before the command was complete."""
