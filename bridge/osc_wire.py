"""OSC 1.0 on the wire: strict unpacking of datagrams and fast encoding of replies.

Parsing uses python-osc's OscMessage; on top of it every message is checked to
be exactly as long as its encoding (python-osc pads a short trailing argument,
so a truncated packet would otherwise parse), and bundles are walked here
with their element sizes checked, elements in order, timetags ignored.
Replies are encoded with struct directly: a clip reply is built in a few
microseconds instead of python-osc's builder's hundreds.
"""
from __future__ import annotations

import functools
import struct

from pythonosc.osc_message import OscMessage, ParseError

BUNDLE_PREFIX = b"#bundle\x00"
MAX_BUNDLE_DEPTH = 8
# fixed sizes of argument types (OSC 1.0 plus the common 1.1 extras python-osc reads)
_FIXED = {"i": 4, "f": 4, "c": 4, "r": 4, "m": 4, "h": 8, "d": 8, "t": 8,
          "T": 0, "F": 0, "N": 0, "I": 0, "[": 0, "]": 0}


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


def encoded_length(dgram: bytes) -> int:
    """Length the message at the start of dgram has by its own encoding (raises MalformedPacket)."""
    end = _string_end(dgram, 0, "address")
    if end == len(dgram):
        return end                       # no type tag string: a message without arguments
    if dgram[end:end + 1] != b",":
        raise MalformedPacket("type tag string missing (must start with ',')")
    tags_end = _string_end(dgram, end, "type tag string")
    tags = dgram[end + 1:dgram.index(b"\x00", end)].decode("ascii", "replace")
    pos = tags_end
    for t in tags:
        if t in _FIXED:
            pos += _FIXED[t]
        elif t in "sS":
            if pos >= len(dgram):
                raise MalformedPacket("string argument missing")
            pos = _string_end(dgram, pos, "string argument")
        elif t == "b":
            if pos + 4 > len(dgram):
                raise MalformedPacket("blob size missing")
            size = struct.unpack_from(">i", dgram, pos)[0]
            if size < 0:
                raise MalformedPacket("negative blob size")
            pos += 4 + ((size + 3) & ~3)
        else:
            raise MalformedPacket(f"unknown type tag {t!r}")
        if pos > len(dgram):
            raise MalformedPacket("packet is shorter than its type tags say (truncated)")
    return pos


def parse_message(dgram: bytes) -> tuple[str, list]:
    """(address, args) of one OSC message datagram, exactly as long as its encoding."""
    address = None
    if dgram[:1] == b"/":
        nul = dgram.find(b"\x00")
        if nul > 0:
            address = dgram[:nul].decode("utf-8", "replace")
    try:
        length = encoded_length(dgram)
    except MalformedPacket as e:
        e.address = address
        raise
    if length != len(dgram):
        raise MalformedPacket(f"packet is {len(dgram)} bytes but its message encodes to {length} "
                              "(truncated or trailing bytes)", address)
    if address is None:
        raise MalformedPacket("an OSC address must start with '/'")
    try:
        msg = OscMessage(dgram)
        return msg.address, list(msg.params)
    except (ParseError, IndexError, ValueError, UnicodeDecodeError, struct.error) as e:
        raise MalformedPacket(f"cannot parse the message: {e}", address) from None


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


@functools.lru_cache(maxsize=256)
def _plan(tags: str) -> tuple:
    """How to encode arguments with these type tags: (None, i, i + 1) for the string at i, or
    (struct.Struct, start, end) for a run of numbers packed in one call."""
    plan, run = [], 0
    for i, t in enumerate(tags + "s"):
        if t == "s":
            if run < i:
                plan.append((struct.Struct(">" + tags[run:i]), run, i))
            if i < len(tags):
                plan.append((None, i, i + 1))
            run = i + 1
        elif t not in "if":
            raise ValueError(f"cannot encode type tag {t!r}")
    return tuple(plan)


def encode(address: str, tags: str = "", args=()) -> bytes:
    """An OSC message with the given type tags (i, f, s) and arguments."""
    if len(tags) != len(args):
        raise ValueError(f"{len(tags)} type tags for {len(args)} arguments")
    parts = [_osc_string(address), _osc_string("," + tags)]
    for packer, start, end in _plan(tags):
        if packer is None:
            parts.append(_osc_string(str(args[start])))
            continue
        values = args[start:end]
        try:
            parts.append(packer.pack(*values))
        except struct.error:                 # e.g. 3.0 for an "i": convert, as the tag says
            parts.append(packer.pack(*[int(v) if t == "i" else float(v) for t, v in zip(tags[start:end], values)]))
    return b"".join(parts)


def encode_bundle(messages: list[bytes], timetag: int = 1) -> bytes:
    """A bundle of encoded messages (timetag 1 = immediately)."""
    return BUNDLE_PREFIX + struct.pack(">Q", timetag) + b"".join(
        struct.pack(">i", len(m)) + m for m in messages)
