"""The requests' argument checks (run on the network thread) and the routing from the protocol table.

Every request's line (its handler, whether it is open, whether it names knobs) is in bridge/protocol.py;
here is only how its arguments are checked (`CHECKS`), and `ROUTES`, the two joined.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from engine.session import EditError, parse_targets, valid_bpm

from bridge import protocol
from bridge.osc_wire import IMPULSE


class RequestError(ValueError):
    """A request the engine refuses; the message goes back as /sentgen/error."""


# --- argument checks (run on the network thread) --------------------------------------------
def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _count(args, lo, hi=None, what=""):
    hi = lo if hi is None else hi
    if not lo <= len(args) <= hi:
        want = f"{lo}" if lo == hi else f"{lo} to {hi}"
        raise RequestError(f"expects {want} argument(s){': ' + what if what else ''}; got {len(args)}")


def _type_name(v) -> str:
    if v is IMPULSE:
        return "impulse"
    names = {bool: "bool", type(None): "nil", int: "int", float: "float", str: "string", bytes: "blob"}
    return names.get(type(v), type(v).__name__)


def check_none(args):
    _count(args, 0)
    return None


def check_hello(args):
    _count(args, 1, what="reply_port:int")
    port = args[0]
    if not _is_int(port) or not 1 <= port <= 65535:
        raise RequestError(f"reply_port must be an int in 1..65535, got {port!r}")
    return port


def _check_value(name, value, schema):
    if not (_is_number(value) or isinstance(value, str)):
        raise RequestError(f"{name} value must be a number in [0, 1] or a label, got {_type_name(value)}")
    try:
        return schema.resolve_target(name, value)
    except (KeyError, ValueError, TypeError) as e:
        raise RequestError(str(e).strip('"')) from None


def check_attr(args, schema):
    """A knob of the current model's schema and its value (number in [0, 1] or label)."""
    _count(args, 2, what="name:str value")
    name, value = args
    if not isinstance(name, str):
        raise RequestError(f"{schema.knob_word} name must be a string, got {_type_name(name)}")
    try:
        schema.knob_index(name)
    except KeyError as e:
        raise RequestError(str(e).strip('"')) from None
    _check_value(name, value, schema)
    return name, value


def check_attrs(args, schema):
    if not args or len(args) % 2:
        raise RequestError(f"expects name value pairs; got {len(args)} argument(s)")
    pairs = [check_attr(args[i:i + 2], schema) for i in range(0, len(args), 2)]
    try:
        parse_targets(pairs, schema)
    except EditError as e:
        raise RequestError(str(e)) from None
    return pairs


def check_clip(args):
    if len(args) % 5:
        raise RequestError(f"a clip travels as 5 values per note (pitch start_time duration velocity mute); "
                           f"got {len(args)} values")
    return list(args)


def check_seed(args):
    _count(args, 0, 1, "[seed:int]")
    if args and (not _is_int(args[0]) or args[0] < 0):
        raise RequestError(f"seed must be a non-negative int, got {args[0]!r}")
    return args[0] if args else None


def check_token(args):
    _count(args, 1, what="token:str")
    if not isinstance(args[0], str):
        raise RequestError(f"token must be a string, got {_type_name(args[0])}")
    return args[0]


def check_name(args):
    _count(args, 1, what="name:str")
    if not isinstance(args[0], str):
        raise RequestError(f"name must be a string, got {_type_name(args[0])}")
    return args[0]


def check_optional_name(args):
    _count(args, 0, 1, "[name:str]")
    if args and not isinstance(args[0], str):
        raise RequestError(f"name must be a string, got {_type_name(args[0])}")
    return args[0] if args else None


def check_bpm(args):
    _count(args, 0, 1, "[bpm:float]")
    if args:
        try:
            return valid_bpm(args[0])
        except ValueError as e:
            raise RequestError(str(e)) from None
    return None


def check_learn(args, schema):
    name = check_name(args)
    try:
        schema.knob_index(name)
    except KeyError as e:
        raise RequestError(str(e).strip('"')) from None
    return name


@dataclass(frozen=True)
class Route:
    check: Callable          # args -> payload, raises RequestError (network thread)
    run: str                 # Engine method name: "net_*" on the network thread, "do_*" on the worker
    doc: str
    knobs: bool = False      # check(args, schema): names knobs of the current model's schema


# The checks of the requests' arguments (network thread); everything else about a request (its handler,
# whether it is open, whether it names knobs) is its line in the protocol table, bridge/protocol.py.
CHECKS: dict[str, Callable] = {
    "/sentgen/hello": check_hello, "/sentgen/bye": check_hello, "/sentgen/hello/check": check_hello,
    "/sentgen/ping": check_none, "/sentgen/stats": check_none, "/sentgen/clip/set": check_clip,
    "/sentgen/clip/get": check_none, "/sentgen/original/get": check_none, "/sentgen/attr/set": check_attr,
    "/sentgen/attrs/set": check_attrs, "/sentgen/attrs/get": check_none, "/sentgen/knobs/get": check_none,
    "/sentgen/random": check_seed, "/sentgen/undo": check_none, "/sentgen/redo": check_none,
    "/sentgen/model/list": check_none, "/sentgen/model/load": check_name, "/sentgen/export/midi": check_optional_name,
    "/sentgen/midi/learn": check_learn, "/sentgen/play": check_bpm, "/sentgen/stop": check_none,
    "/sentgen/auth": check_token,
}

# The routing, from the protocol table (docs/protocol.md explains each line).
ROUTES: dict[str, Route] = {m.address: Route(CHECKS[m.address], m.handler, m.doc, m.knobs) for m in protocol.REQUESTS}

# Requests that change nothing and write nothing: open to every sender.  Every other route needs the
# engine's token when it has one (see Engine.token).
OPEN_ROUTES = frozenset(m.address for m in protocol.REQUESTS if m.open)
