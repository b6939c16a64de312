"""The protocol in one table: every request and every reply, with its arguments and its handler.

Like mido's message specs: one line per message.  From this table come the engine's routing
(bridge.server.checks.ROUTES: the handler named here, a method of bridge/server/handlers.py, where
every request's handler is; the open routes), and the tests that check
that docs/protocol.md lists exactly these messages, that every reply the engine sends has the
argument types said here, that the panel's dispatch and the Max device's address table name
only messages of this table.  `table_json()` is the table as plain data.

Argument types are a small pattern over OSC type tags: s string, i int, f float, n a number
(int or float), v a value (number or string), (...)* any number of repeats, [...] optional.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import asdict, dataclass

from bridge.osc_wire import encode

VERSION = "2"


@dataclass(frozen=True)
class Message:
    address: str
    direction: str           # "request" (to the engine) or "reply" (from the engine)
    args: str                # the type pattern (see the module's docstring)
    doc: str
    handler: str = ""        # requests: the method in bridge/server/handlers.py ("net_*" network thread,
    #                          "do_*" worker; "knob": answered from ready replies, else do_knob on the worker)
    open: bool = False       # requests that change nothing: no token needed
    knobs: bool = False      # requests naming knobs of the current model (checked against its schema)

    def matches(self, tags: str) -> bool:
        """Whether a message's type tags fit this message's argument pattern."""
        return _regex(self.args).fullmatch(tags) is not None


_CACHE: dict[str, re.Pattern] = {}


def _regex(pattern: str) -> re.Pattern:
    if pattern not in _CACHE:
        out = pattern.replace("[", "(?:").replace("]", ")?").replace("(", "(?:").replace("(?:?:", "(?:")
        out = out.replace("n", "\0").replace("v", "\1")
        out = out.replace("\0", "[ifhd]").replace("\1", "[ifhdsS]")
        _CACHE[pattern] = re.compile(out)
    return _CACHE[pattern]


REQUESTS = (
    Message("/sentgen/hello", "request", "n", "register reply_port; pong then the state and the knobs", "net_hello"),
    Message("/sentgen/bye", "request", "n", "unregister reply_port", "net_bye"),
    Message("/sentgen/hello/check", "request", "n", "is reply_port registered? /sentgen/registered, to the sender only",
            "net_hello_check", open=True),
    Message("/sentgen/ping", "request", "", "/sentgen/pong protocol_version model device", "net_ping", open=True),
    Message("/sentgen/stats", "request", "", "/sentgen/stats counters, to the sender only", "net_stats", open=True),
    Message("/sentgen/clip/set", "request", "(nnnnn)*", "load a clip; the state, then /sentgen/edit 1 load",
            "do_clip_set"),
    Message("/sentgen/clip/get", "request", "", "/sentgen/clip", "do_clip_get", open=True),
    Message("/sentgen/original/get", "request", "", "/sentgen/original", "do_original_get", open=True),
    Message("/sentgen/attr/set", "request", "sv", "edit one knob (coalesced); the state, then /sentgen/edit",
            "knob", knobs=True),
    Message("/sentgen/attrs/set", "request", "(sv)*", "edit several knobs at once; the state, then /sentgen/edit",
            "do_attrs_set", knobs=True),
    Message("/sentgen/attrs/get", "request", "", "/sentgen/attrs", "do_attrs_get", open=True),
    Message("/sentgen/knobs/get", "request", "", "/sentgen/knobs: the current model's knobs", "do_knobs_get",
            open=True),
    Message("/sentgen/random", "request", "[n]", "a new clip from the model; the state", "do_random"),
    Message("/sentgen/undo", "request", "", "step back; the state", "do_undo"),
    Message("/sentgen/redo", "request", "", "step forward; the state", "do_redo"),
    Message("/sentgen/model/list", "request", "", "/sentgen/models name ...", "net_model_list", open=True),
    Message("/sentgen/model/load", "request", "s", "switch model; the state, then /sentgen/knobs", "do_model_load"),
    Message("/sentgen/export/midi", "request", "[s]", "write a .mid; /sentgen/exported path", "do_export"),
    Message("/sentgen/midi/learn", "request", "s", "bind the next CC to a knob; /sentgen/midi/learned", "net_learn",
            knobs=True),
    Message("/sentgen/play", "request", "[n]", "play the clip on the MIDI clip port, internal clock", "net_play"),
    Message("/sentgen/stop", "request", "", "stop the internal clock", "net_stop"),
    Message("/sentgen/auth", "request", "s", "authorise this socket with the engine's token; /sentgen/authorized",
            "net_auth", open=True),
)

REPLIES = (
    Message("/sentgen/pong", "reply", "sss", "protocol_version model device"),
    Message("/sentgen/knobs", "reply", "(sssis*)*", "per knob of the current model: name title kind count labels..."),
    Message("/sentgen/clip", "reply", "(iffii)*", "the current clip: pitch start duration velocity mute per note"),
    Message("/sentgen/attrs", "reply", "(sisf)*", "per knob: name index label value"),
    Message("/sentgen/original", "reply", "(iffii)*", "the user's original clip"),
    Message("/sentgen/edit", "reply", "iss(s)*", "exact method reason, then the knobs it also changed"),
    Message("/sentgen/models", "reply", "(s)*", "the model names"),
    Message("/sentgen/exported", "reply", "s", "the written .mid's path"),
    Message("/sentgen/midi/learned", "reply", "sii", "knob channel cc"),
    Message("/sentgen/registered", "reply", "ii", "reply_port registered(0/1)"),
    Message("/sentgen/authorized", "reply", "i", "token_required(0/1)"),
    Message("/sentgen/stats", "reply", "(i)*", "counters"),
    Message("/sentgen/error", "reply", "ss", "address message"),
)

MESSAGES = {(m.direction, m.address): m for m in REQUESTS + REPLIES}
REQUEST = {m.address: m for m in REQUESTS}
REPLY = {m.address: m for m in REPLIES}


def tags_of(args) -> str:
    """The OSC type tags of decoded arguments (str s, int i, float f)."""
    return "".join("s" if isinstance(a, str) else "i" if isinstance(a, int) else "f" for a in args)


def table_json() -> str:
    """The table as JSON (for surfaces that load it instead of keeping their own copy)."""
    return json.dumps({"version": VERSION, "requests": [asdict(m) for m in REQUESTS],
                       "replies": [asdict(m) for m in REPLIES]}, indent=1)


@functools.lru_cache(maxsize=1024)
def reply_tags(address: str, count: int) -> str:
    """The type tags of reply `address` with `count` arguments, from the table: a fixed pattern, or a fixed
    head then one repeated group ("iss(s)*", "(iffii)*"); ValueError when `count` does not fit it."""
    pattern = REPLY[address].args
    head, _, rest = pattern.partition("(")
    if not rest:
        tags = head
    else:
        group = rest[:-2]
        if not rest.endswith(")*") or not re.fullmatch(r"[a-z]+", group) or len(group) == 0:
            raise ValueError(f"{address}: the tags of {pattern!r} depend on the values; give them")
        n, left = divmod(count - len(head), len(group))
        tags = head + group * n if n >= 0 and not left else None
    if tags is None or len(tags) != count:
        raise ValueError(f"{address} takes {pattern!r}: not {count} argument(s)")
    return tags


def reply(address: str, args=(), tags: str | None = None) -> bytes:
    """A reply of the table, encoded with its types (bridge.osc_wire.encode): the tags come from the table
    (reply_tags), or, for a pattern they cannot come from (/sentgen/knobs), are given and checked against it."""
    if tags is None:
        tags = reply_tags(address, len(args))
    elif not REPLY[address].matches(tags):
        raise ValueError(f"{address} takes {REPLY[address].args!r}, not {tags!r}")
    return encode(address, tags, args)
