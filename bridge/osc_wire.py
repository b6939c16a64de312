"""OSC 1.0 on the wire: strict decoding of datagrams and fast encoding of replies.

One decoder for every datagram the engine (and the panel) reads: each type
tag is either decoded to what it means or the packet is refused whole
(MalformedPacket), so a request never runs with arguments other than those
sent.  Decoded: `i` `h` -> int, `f` `d` -> float, `s` `S` -> str (UTF-8),
`c` -> a one-character str, `b` -> bytes, `T` `F` -> bool, `N` -> None,
`I` -> IMPULSE.  Refused: arrays (`[` `]`: no message takes one), `t` `r` `m`
and any other tag.  Every message must be exactly as long as its encoding,
string and blob padding must be zero bytes, and bundles are walked here with
their element sizes checked, elements in order, timetags ignored.
Messages are encoded with struct directly (`encode`, `build`): a clip reply is
built in a few microseconds instead of python-osc's builder's hundreds.  This
module is the one OSC codec of the engine, bridge.osc_client, the panel's
client (ui.oscclient) and the tests.
"""
from __future__ import annotations

import functools
import struct

BUNDLE_PREFIX = b"#bundle\x00"
MAX_BUNDLE_DEPTH = 8


class _Impulse:
    """The value of an `I` (impulse, "bang") argument: no data, not a number, not a string."""
    __slots__ = ()

    def __repr__(self):
        return "impulse"


IMPULSE = _Impulse()
_NUMBERS = {"i": struct.Struct(">i"), "h": struct.Struct(">q"), "f": struct.Struct(">f"), "d": struct.Struct(">d")}
_CONSTANTS = {"T": True, "F": False, "N": None, "I": IMPULSE}
_REFUSED = {"[": "arrays are not accepted (no message takes one; send the values as plain arguments)",
            "]": "arrays are not accepted (no message takes one; send the values as plain arguments)",
            "t": "timetag arguments are not accepted", "r": "RGBA colour arguments are not accepted",
            "m": "MIDI message arguments are not accepted"}
_INT32 = _NUMBERS["i"]


class MalformedPacket(ValueError):
    """A datagram that is not well-formed OSC; `address` is set when it could be read."""

    def __init__(self, message: str, address: str | None = None):
        super().__init__(message)
        self.address = address


def _string_end(dgram: bytes, start: int, what: str) -> int:
    """End (exclusive, 4-aligned) of the padded OSC string at start."""
    nul = dgram.find(b"\x00", start)
    if nul < 0:
        raise MalformedPacket(f"{what} is not terminated")
    end = (nul + 4) & ~3
    if end > len(dgram):
        raise MalformedPacket(f"{what} padding runs past the end of the packet")
    if dgram[nul:end].strip(b"\x00"):
        raise MalformedPacket(f"{what} padding is not zero bytes")
    return end


def _what(n: int, tag: str) -> str:
    return f"argument {n} ({tag!r})"


def _truncated(n: int, tag: str) -> MalformedPacket:
    return MalformedPacket(f"packet is shorter than its type tags say (truncated at {_what(n, tag)})")


def _decode(dgram: bytes) -> tuple[list, int]:
    """(arguments, end) of the message at the start of dgram, end being where its encoding ends."""
    end = _string_end(dgram, 0, "address")
    if end == len(dgram):
        return [], end                    # no type tag string: a message without arguments
    if dgram[end:end + 1] != b",":
        raise MalformedPacket("type tag string missing (must start with ',')")
    pos = _string_end(dgram, end, "type tag string")
    tags = dgram[end + 1:dgram.index(b"\x00", end)].decode("ascii", "replace")
    args, size = [], len(dgram)
    for n, t in enumerate(tags, 1):
        packer = _NUMBERS.get(t)
        if packer is not None:
            if pos + packer.size > size:
                raise _truncated(n, t)
            args.append(packer.unpack_from(dgram, pos)[0])
            pos += packer.size
        elif t in _CONSTANTS:
            args.append(_CONSTANTS[t])
        elif t == "s" or t == "S":
            if pos >= size:
                raise _truncated(n, t)
            nul = dgram.find(b"\x00", pos)
            stop = _string_end(dgram, pos, _what(n, t))
            try:
                args.append(dgram[pos:nul].decode("utf-8"))
            except UnicodeDecodeError:
                raise MalformedPacket(f"{_what(n, t)} is not UTF-8 text") from None
            pos = stop
        elif t == "c":
            if pos + 4 > size:
                raise _truncated(n, t)
            code = _INT32.unpack_from(dgram, pos)[0]
            if not (0 < code < 0xD800 or 0xE000 <= code <= 0x10FFFF):
                raise MalformedPacket(f"{_what(n, t)} is not a character (code {code})")
            args.append(chr(code))
            pos += 4
        elif t == "b":
            if pos + 4 > size:
                raise _truncated(n, t)
            length = _INT32.unpack_from(dgram, pos)[0]
            if length < 0:
                raise MalformedPacket(f"{_what(n, t)} has a negative blob size")
            stop = pos + 4 + ((length + 3) & ~3)
            if stop > size:
                raise _truncated(n, t)
            if dgram[pos + 4 + length:stop].strip(b"\x00"):
                raise MalformedPacket(f"{_what(n, t)} blob padding is not zero bytes")
            args.append(dgram[pos + 4:pos + 4 + length])
            pos = stop
        elif t in _REFUSED:
            raise MalformedPacket(f"{_what(n, t)}: {_REFUSED[t]}")
        else:
            raise MalformedPacket(f"unknown type tag {t!r} (argument {n})")
    return args, pos


def encoded_length(dgram: bytes) -> int:
    """Length the message at the start of dgram has by its own encoding (raises MalformedPacket)."""
    return _decode(dgram)[1]


def parse_message(dgram: bytes) -> tuple[str, list]:
    """(address, args) of one OSC message datagram, exactly as long as its encoding."""
    address = None
    if dgram[:1] == b"/":
        nul = dgram.find(b"\x00")
        if nul > 0:
            address = dgram[:nul].decode("utf-8", "replace")
    try:
        args, length = _decode(dgram)
    except MalformedPacket as e:
        e.address = address
        raise
    if length != len(dgram):
        raise MalformedPacket(f"packet is {len(dgram)} bytes but its message encodes to {length} "
                              "(truncated or trailing bytes)", address)
    if address is None:
        raise MalformedPacket("an OSC address must start with '/'")
    return address, args


def unpack(dgram: bytes, depth: int = 0) -> list[tuple[str, list]]:
    """Every message in a datagram, bundles unpacked in order; all or nothing."""
    if dgram.startswith(BUNDLE_PREFIX):
        if depth >= MAX_BUNDLE_DEPTH:
            raise MalformedPacket(f"bundles nested deeper than {MAX_BUNDLE_DEPTH}")
        if len(dgram) < 16:
            raise MalformedPacket("bundle shorter than its header")
        out, pos = [], 16
        while pos < len(dgram):
            if pos + 4 > len(dgram):
                raise MalformedPacket("bundle element size cut off")
            size = struct.unpack_from(">i", dgram, pos)[0]
            pos += 4
            if size <= 0 or size % 4 or pos + size > len(dgram):
                raise MalformedPacket(f"bundle element of {size} bytes does not fit the packet (truncated)")
            out.extend(unpack(dgram[pos:pos + size], depth + 1))
            pos += size
        return out
    return [parse_message(dgram)]


# --- encoding -----------------------------------------------------------------------
@functools.lru_cache(maxsize=1024)
def _osc_string(s: str) -> bytes:
    b = s.replace("\x00", " ").encode("utf-8")
    return b + b"\x00" * (4 - len(b) % 4)


_PACK = {"i": "i", "f": "f", "d": "d", "h": "q", "c": "i"}      # OSC tag -> struct code (h is int64)
_NO_DATA = "TFNI"


@functools.lru_cache(maxsize=256)
def _plan(tags: str) -> tuple:
    """How to encode arguments with these type tags: (None, i, i + 1) for the string at i, ("b", i, i + 1)
    for a blob, ("c", i, i + 1) for a character, or (struct.Struct, start, end) for a run of numbers packed
    in one call; T F N I carry no data."""
    plan, run = [], 0
    for i, t in enumerate(tags + "s"):
        if t in _PACK and t != "c":
            continue
        if run < i:
            plan.append((struct.Struct(">" + "".join(_PACK[x] for x in tags[run:i])), run, i))
        if i < len(tags):
            if t in "sS":
                plan.append((None, i, i + 1))
            elif t in "bc":
                plan.append((t, i, i + 1))
            elif t not in _NO_DATA:
                raise ValueError(f"cannot encode type tag {t!r}")
        run = i + 1
    return tuple(plan)


def encode(address: str, tags: str = "", args=()) -> bytes:
    """An OSC message with the given type tags (i f d h s S b c T F N I) and arguments: the one encoder
    (the engine's replies, bridge.osc_client, the panel's client and the tests)."""
    if len(tags) != len(args):
        raise ValueError(f"{len(tags)} type tags for {len(args)} arguments")
    parts = [_osc_string(address), _osc_string("," + tags)]
    for packer, start, end in _plan(tags):
        if packer is None:
            parts.append(_osc_string(str(args[start])))
            continue
        if packer == "b":
            blob = bytes(args[start])
            parts.append(_INT32.pack(len(blob)) + blob + b"\x00" * (-len(blob) % 4))
            continue
        if packer == "c":
            c = args[start]
            parts.append(_INT32.pack(ord(c) if isinstance(c, str) else int(c)))
            continue
        values = args[start:end]
        try:
            parts.append(packer.pack(*values))
        except struct.error:                 # e.g. 3.0 for an "i": convert, as the tag says
            parts.append(packer.pack(*[int(v) if t in "ih" else float(v) for t, v in zip(tags[start:end], values)]))
    return b"".join(parts)


def tag_of(value) -> str:
    """The type tag a value travels with when none is given: bool T/F, int i (h beyond 32 bits), float f,
    str s, bytes b, None N, IMPULSE I."""
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, int):
        return "i" if -2**31 <= value < 2**31 else "h"
    if isinstance(value, float):
        return "f"
    if isinstance(value, str):
        return "s"
    if isinstance(value, (bytes, bytearray)):
        return "b"
    if value is None:
        return "N"
    if value is IMPULSE:
        return "I"
    raise ValueError(f"cannot send a {type(value).__name__} in OSC")


def build(address: str, *args, types: str | None = None) -> bytes:
    """A request as the clients send it: the types given, or each argument's own (tag_of)."""
    return encode(address, types if types is not None else "".join(tag_of(a) for a in args), args)


def encode_bundle(messages: list[bytes], timetag: int = 1) -> bytes:
    """A bundle of encoded messages (timetag 1 = immediately)."""
    return BUNDLE_PREFIX + struct.pack(">Q", timetag) + b"".join(
        struct.pack(">i", len(m)) + m for m in messages)


def decode_knobs(params: list) -> list[dict]:
    """The arguments of /sentgen/knobs (protocol 2) as [{name, title, kind, count, labels}]; ValueError when malformed."""
    out, i = [], 0
    while i < len(params):
        if i + 4 > len(params):
            raise ValueError("/sentgen/knobs: a knob needs name title kind count")
        name, title, kind, count = params[i:i + 4]
        count = int(count)
        labels = [str(x) for x in params[i + 4:i + 4 + count]]
        if count < 1 or len(labels) != count:
            raise ValueError(f"/sentgen/knobs: knob {name} says {count} labels, has {len(labels)}")
        out.append({"name": str(name), "title": str(title), "kind": str(kind), "count": count, "labels": labels})
        i += 4 + count
    return out
