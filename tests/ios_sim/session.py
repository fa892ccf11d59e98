"""One CLI session on a simulated router: modes, prompts, privilege, parsing and applying configuration."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

from . import hooks
from .config import Node, identity_of
from .errors import CliError, Incomplete, InvalidAt
from .grammar import Match, Token, Tracker, match_pattern, next_words, tokenize
from .platform import CommandSpec

if TYPE_CHECKING:  # pragma: no cover
    from .device import Device

INVALID = "% Invalid input detected at '^' marker."
INCOMPLETE = "% Incomplete command."
FILTERS = ("begin", "count", "exclude", "include", "section")


@dataclass
class ApplyContext:
    """What a configuration hook sees and may change before the line is stored."""

    spec: CommandSpec
    match: Match
    tokens: List[Token]  # the raw tokens after any leading `no`
    offset: int  # index of tokens[0] in the typed line (1 after `no`)
    negate: bool
    parent: Node
    text: str = ""
    binds: Dict[str, object] = field(default_factory=dict)
    output: List[str] = field(default_factory=list)

    def invalid(self, index: int):
        raise InvalidAt(self.offset + index)


@dataclass
class Pending:
    """A question the router asked (``Password:``); the next line answers it."""

    prompt: str
    answer: Callable[[str], str]
    echo: bool = True


class Session:
    def __init__(self, device: "Device", session_id: int, privilege: int):
        self.device = device
        self.world = device.world
        self.platform = device.platform
        self.id = session_id
        self.priv = privilege
        self.stack: List[Tuple[str, Optional[Node]]] = [("exec", None)]
        self.pending: Optional[Pending] = None
        self.closed = False
        self.terminal_length = 24
        self.terminal_width = 80
        self.recording = True

    # -- state -----------------------------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self.stack[-1][0]

    @property
    def context(self) -> Node:
        node = self.stack[-1][1]
        return node if node is not None else self.device.config.root

    def prompt(self) -> str:
        if self.pending is not None:
            return self.pending.prompt
        suffix = self.platform.modes[self.mode].prompt
        marker = "#" if (self.priv == 15 or self.mode != "exec") else ">"
        return f"{self.device.hostname}{suffix}{marker}"

    @property
    def echo(self) -> bool:
        return self.pending.echo if self.pending is not None else True

    def end_config(self):
        del self.stack[1:]

    # -- input -----------------------------------------------------------------------------------------------

    def receive(self, line: str) -> str:
        """Process one line; returns the output (lines separated by newlines, ending with one if not empty)."""
        with self.world.lock:
            prompt = self.prompt()
            if self.pending is not None:
                pending = self.pending
                self.pending = None
                shown = line if pending.echo else "<hidden>"
                if self.recording:
                    self.device.record(self.id, prompt, shown, self.mode)
                return pending.answer(line)
            if self.recording:
                self.device.record(self.id, prompt, line, self.mode)
            self.world.before_command(self.device)
            try:
                if "?" in line:
                    return self.help(line)
                if self.mode == "exec":
                    return self.run_exec(line)
                return self.run_config(line)
            except InvalidAt as error:
                return self.caret(line, error.index)
            except Incomplete:
                return INCOMPLETE + "\n"
            except CliError as error:
                return str(error).rstrip("\n") + "\n"

    def caret(self, line: str, index: int) -> str:
        tokens = tokenize(line)
        column = tokens[index].start if index < len(tokens) else len(line)
        return " " * (len(self.prompt()) + column) + "^\n" + INVALID + "\n\n"

    def help(self, line: str) -> str:
        before = line.split("?", 1)[0]
        tokens = tokenize(before)
        words: List[str] = []
        modes = ["exec"] if self.mode == "exec" else [self.mode]
        partial_word = not before.endswith(" ") and tokens
        for mode in modes:
            for spec in self._specs(mode):
                if partial_word:
                    for word in next_words(spec.pattern, tokens[:-1], self.platform.types):
                        if word.startswith(tokens[-1].text.lower()) and word not in words:
                            words.append(word)
                else:
                    for word in next_words(spec.pattern, tokens, self.platform.types):
                        if word not in words:
                            words.append(word)
        if not words:
            return self.caret(before, len(tokens) - 1 if partial_word else len(tokens))
        if partial_word:
            return "  ".join(words) + "\n\n"
        return "".join(f"  {word}\n" for word in words) + "\n"

    # -- matching --------------------------------------------------------------------------------------------

    def _specs(self, mode: str, include_common: bool = True) -> List[CommandSpec]:
        specs = list(self.platform.commands.get(mode, []))
        if mode == "exec":
            return [spec for spec in specs if spec.priv <= self.priv]
        if include_common:
            specs += self.platform.config_common
        return specs

    def match_mode(self, mode: str, tokens: List[Token], partial: bool = False, include_common: bool = True):
        """Return ([(spec, match, complete)], tracker) for the best readings of ``tokens`` in ``mode``."""
        tracker = Tracker()
        found = []
        seen = set()
        for spec in self._specs(mode, include_common):
            if spec.no_only and not partial:
                continue
            for match, complete in match_pattern(spec.pattern, tokens, self.platform.types, tracker, partial):
                marker = (spec.id, spec.mode, match.canon, complete)
                if marker not in seen:
                    seen.add(marker)
                    found.append((spec, match, complete))
        return found, tracker

    def check_ambiguous(self, mode: str, tokens: List[Token], include_common: bool = True):
        """IOS refuses an abbreviated first word that several commands start with (`c` for clear/configure/copy)."""
        from .grammar import first_keywords

        typed = tokens[0].text.lower()
        words = set()
        for spec in self._specs(mode, include_common):
            for word in first_keywords(spec.pattern):
                if word == typed:
                    return
                if word.startswith(typed):
                    words.add((spec.id, word))
        if len({word for _unused, word in words}) > 1 and len({spec_id for spec_id, _unused in words}) > 1:
            raise CliError(f'% Ambiguous command:  "{" ".join(t.text for t in tokens)}"')

    def best(self, found, tokens: List[Token], offset: int):
        complete = [item for item in found if item[2]]
        if not complete:
            return None
        top = max(item[1].exact for item in complete)
        leaders = [item for item in complete if item[1].exact == top]
        readings = {(item[0].id, item[0].normalized(" ".join(item[1].canon))) for item in leaders}
        if len(readings) > 1:
            typed = " ".join(t.text for t in tokens)
            raise CliError(f'% Ambiguous command:  "{typed}"')
        return leaders[0]

    # -- exec ------------------------------------------------------------------------------------------------

    def run_exec(self, line: str) -> str:
        from . import exec_commands

        command, pipe = line, None
        if "|" in line:
            command, pipe = line.split("|", 1)
        tokens = tokenize(command)
        if not tokens:
            return ""
        self.check_ambiguous("exec", tokens)
        found, tracker = self.match_mode("exec", tokens)
        chosen = self.best(found, tokens, 0)
        if chosen is None:
            if tracker.wanted_more:
                raise Incomplete()
            raise InvalidAt(max(tracker.furthest, 0))
        spec, match, _unused = chosen
        output_filter = None
        if pipe is not None:
            output_filter = self._parse_filter(line, pipe)
        output = exec_commands.run(self, spec, match)
        if output_filter is not None:
            from .config import filter_output

            how, regex = output_filter
            output = filter_output(output.rstrip("\n"), how, regex)
            output = output + "\n" if output else ""
        return output

    def _parse_filter(self, line: str, pipe: str) -> Tuple[str, str]:
        pipe_tokens = tokenize(pipe)
        base = len(tokenize(line.split("|", 1)[0])) + 1  # the '|' itself is a token of the typed line
        if not pipe_tokens:
            raise Incomplete()
        word = pipe_tokens[0].text.lower()
        candidates = [name for name in FILTERS if name.startswith(word)]
        if len(candidates) != 1:
            raise InvalidAt(base)
        if len(pipe_tokens) < 2:
            raise Incomplete()
        regex = pipe[pipe_tokens[1].start:].strip()
        return candidates[0], regex

    # -- configuration ---------------------------------------------------------------------------------------

    def run_config(self, line: str) -> str:
        stripped = line.strip()
        if not stripped or stripped.startswith("!"):
            return ""
        tokens = tokenize(line)
        negate = tokens[0].text.lower() == "no"
        body = tokens[1:] if negate else tokens
        offset = 1 if negate else 0
        if negate and not body:
            raise Incomplete()
        chain = self.platform.mode_chain(self.mode)
        self.check_ambiguous(self.mode, body)
        wanted_more = False
        furthest = -1
        for depth, mode in enumerate(chain):
            found, tracker = self.match_mode(mode, body, partial=negate, include_common=(depth == 0))
            if negate:
                found = [item for item in found if item[0].mode != "*"]
                chosen = self._best_negation(found, body)
            else:
                chosen = self.best(found, body, offset)
            if chosen is not None:
                # IOS leaves the submode when a line only makes sense in an enclosing mode.
                level = len(self.stack) - 1 - depth
                del self.stack[level + 1:]
                return self.apply(chosen[0], chosen[1], chosen[2], body, offset, negate)
            wanted_more = wanted_more or tracker.wanted_more
            if tracker.furthest >= 0:
                furthest = max(furthest, tracker.furthest)
        if wanted_more:
            raise Incomplete()
        raise InvalidAt(offset + max(furthest, 0))

    def _best_negation(self, found, tokens):
        if not found:
            return None
        complete = [item for item in found if item[2]]
        pool = complete or found
        top = max(item[1].exact for item in pool)
        return [item for item in pool if item[1].exact == top][0]

    def apply(self, spec: CommandSpec, match: Match, complete: bool, tokens: List[Token], offset: int,
              negate: bool) -> str:
        if spec.mode == "*":
            return self.common(spec, match)
        context = self.context
        ctx = ApplyContext(spec, match, tokens, offset, negate, context)
        ctx.text = spec.normalized(" ".join(match.canon))
        ctx.binds = match.bound()
        if negate:
            if len(match.canon) < spec.no_min or (not complete and len(tokens) < spec.no_min):
                raise Incomplete()
            handled = hooks.run(spec.handler, self, ctx) if spec.handler else None
            if handled is None:
                self.remove_matching(ctx, complete)
            self.world.config_changed(self.device)
            return "".join(line + "\n" for line in ctx.output)
        handled = hooks.run(spec.handler, self, ctx) if spec.handler else None
        if handled is None:
            node, created = self.device.config.set_line(context, spec, ctx.text, ctx.binds)
            if spec.opens:
                self.stack.append((spec.opens, node))
                if created and spec.note:
                    ctx.output.append(spec.note)
        self.device.last_change = self.world.now()
        self.world.config_changed(self.device)
        return "".join(line + "\n" for line in ctx.output)

    def remove_matching(self, ctx: ApplyContext, complete: bool):
        """The generic `no` form: drop lines of this command whose identity or text the typed prefix selects."""
        spec = ctx.spec
        words = ctx.text.split()
        identity = identity_of(spec, ctx.text, ctx.binds) if complete else None

        def selected(node: Node) -> bool:
            if node.spec is None or node.spec.id != spec.id or node.spec.mode != spec.mode:
                return False
            if identity is not None and spec.key is not None and node.identity == identity:
                return True
            return node.words[: len(words)] == words

        self.device.config.remove(ctx.parent, selected)

    def common(self, spec: CommandSpec, match: Match) -> str:
        if spec.id == "end":
            self.end_config()
            return ""
        if spec.id == "exit":
            self.stack.pop()
            return ""
        if spec.id == "do":
            from . import exec_commands

            return self.run_exec_as_do(str(match.bound()["command"]), exec_commands)
        raise AssertionError(spec.id)

    def run_exec_as_do(self, command: str, exec_commands) -> str:
        saved = self.stack
        self.stack = [("exec", None)]
        try:
            return self.run_exec(command)
        except InvalidAt as error:
            return self.caret("do " + command, error.index + 1)
        finally:
            self.stack = saved

    # -- used by the world to load startup configuration -----------------------------------------------------

    def load_text(self, text: str, source: str):
        """Apply configuration text (as in a startup-config); raise ValueError naming the first bad line."""
        self.stack = [("exec", None), ("config", None)]
        self.recording = False
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip() or raw.strip().startswith("!"):
                continue
            if raw.strip() == "end":
                break
            if not raw[0].isspace():
                del self.stack[2:]
            output = self.receive(raw)
            if output.startswith(" ") or output.startswith("%") and not output.startswith("% NOTE"):
                message = output.strip().splitlines()[-1]
                raise ValueError(f"{source} line {number}: {raw.strip()!r}: {message}")
        self.stack = [("exec", None)]
