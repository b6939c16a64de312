"""Strict OSC unpacking and reply encoding (no sockets)."""
import math
import re
import struct

import pytest
from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message import OscMessage

from bridge.osc_client import build
from bridge.osc_wire import IMPULSE, MalformedPacket, encode, encode_bundle, encoded_length, unpack
from tests.bridge.conftest import osc


def test_valid_messages_round_trip():
    for args, types in [((), None), ((1, 2.5, "x"), None), (("tonic", "D#"), None),
                        ((60, 0.0, 1.0, 100, 0), None), ((1.0,), "d"), ((7,), "h"), ((True, None), "TN")]:
        dgram = build("/sentgen/test", *args, types=types)
        assert encoded_length(dgram) == len(dgram)
        address, got = unpack(dgram)[0]
        assert address == "/sentgen/test"
        assert len(got) == len(args)


def test_every_truncation_is_rejected():
    # python-osc alone accepts a float cut to 3 bytes (it pads); the length check must not
    dgram = build("/sentgen/attr/set", "tonic", 0.5)
    assert OscMessage(dgram[:-1]).params        # the library's leniency this guards against
    address_end = 20                            # "/sentgen/attr/set" + 3 NULs
    for cut in range(1, len(dgram)):
        if cut == address_end:                  # a message without type tags: well formed, no arguments
            assert unpack(dgram[:cut]) == [("/sentgen/attr/set", [])]
            continue
        with pytest.raises(MalformedPacket):
            unpack(dgram[:cut])


def test_trailing_bytes_rejected():
    with pytest.raises(MalformedPacket, match="trailing|encodes"):
        unpack(build("/sentgen/ping") + b"\x00\x00\x00\x00")


def test_address_recovered_for_error_reply():
    dgram = build("/sentgen/attr/set", "tonic", 0.5)
    with pytest.raises(MalformedPacket) as e:
        unpack(dgram[:-2])
    assert e.value.address == "/sentgen/attr/set"


def test_bundles_unpacked_in_order_and_nested():
    inner = OscBundleBuilder(IMMEDIATELY)
    inner.add_content(OscMessage(build("/b")))
    outer = OscBundleBuilder(IMMEDIATELY)
    outer.add_content(OscMessage(build("/a", 1)))
    outer.add_content(inner.build())
    outer.add_content(OscMessage(build("/c", "x")))
    dgram = outer.build().dgram
    assert [a for a, _ in unpack(dgram)] == ["/a", "/b", "/c"]
    for cut in (len(dgram) - 1, len(dgram) - 4, 20):
        with pytest.raises(MalformedPacket):
            unpack(dgram[:cut])


def test_bundle_element_size_lies():
    m = build("/a", 1)
    bad = b"#bundle\x00" + struct.pack(">Q", 1) + struct.pack(">i", len(m) + 4) + m
    with pytest.raises(MalformedPacket):
        unpack(bad)
    assert unpack(encode_bundle([m, build("/b")])) == [("/a", [1]), ("/b", [])]


def test_garbage_rejected():
    for junk in (b"", b"\x00" * 8, b"hello", b"/x", b"/x\x00\x00,q\x00\x00", b"/x\x00\x00,b\x00\x00\xff\xff\xff\xff",
                 b"#bundle\x00", b"/a\x00\x00,s\x00\x00abcd"):
        with pytest.raises(MalformedPacket):
            unpack(junk)


def test_encode_matches_python_osc():
    data = encode("/sentgen/attrs", "sisf", ("tonic", 2, "D", 2 / 11))
    message = OscMessage(data)                  # an independent decoder
    address, args = message.address, message.params
    assert address == "/sentgen/attrs" and args[:3] == ["tonic", 2, "D"] and math.isclose(args[3], 2 / 11, rel_tol=1e-6)
    assert encode("/x", "s", ("a\x00b",)) == build("/x", "a b")
    with pytest.raises(ValueError):
        encode("/x", "i", ())


def test_every_accepted_tag_is_decoded_or_the_packet_refused():
    # python-osc skips S, c and I (and logs a warning each): the argument vanished, or the next one
    # was read from its bytes (",ci" gave [4242]); the strict decoder decodes each as what it is
    string = b"mysong\x00\x00"
    assert unpack(osc("/x", "S", string)) == [("/x", ["mysong"])]
    assert unpack(osc("/x", "ci", struct.pack(">ii", 4242, 5555))) == [("/x", [chr(4242), 5555])]
    assert unpack(osc("/x", "c", struct.pack(">i", ord("A")))) == [("/x", ["A"])]
    assert unpack(osc("/x", "I")) == [("/x", [IMPULSE])]
    assert unpack(osc("/x", "hdTFNb", struct.pack(">qd", -2**63, 1e308), struct.pack(">i", 3), b"ab\x01\x00")) == \
        [("/x", [-2**63, 1e308, True, False, None, b"ab\x01"])]
    assert unpack(osc("/x", "I" * 60_000)) == [("/x", [IMPULSE] * 60_000)]


@pytest.mark.parametrize("dgram, words", [
    (osc("/x", "c"), "truncated at argument 1 ('c')"),                 # /sentgen/redo ,c ran redo
    (osc("/x", "c", struct.pack(">i", 0)), "not a character"),
    (osc("/x", "c", struct.pack(">i", 0xD800)), "not a character"),
    (osc("/x", "c", struct.pack(">i", 0x110000)), "not a character"),
    (osc("/x", "c", struct.pack(">i", -1)), "not a character"),
    (osc("/x", "S"), "truncated at argument 1 ('S')"),
    (osc("/x", "s", b"\xff\xfe\x00\x00"), "argument 1 ('s') is not UTF-8"),
    (osc("/x", "ib", struct.pack(">ii", 1, 1), b"a\x00\x01\x00"), "argument 2 ('b') blob padding"),
    (osc("/x", "[i]", struct.pack(">i", 1)), "arrays are not accepted"),
    (osc("/x", "[" * 20_000 + "]" * 20_000), "arrays are not accepted"),    # gave a RecursionError
    (osc("/x", "t", bytes(8)), "timetag"),
    (osc("/x", "r", bytes(4)), "RGBA"),
    (osc("/x", "m", bytes(4)), "MIDI"),
    (osc("/x", "iq", bytes(4)), "unknown type tag 'q'"),
])
def test_tags_that_cannot_be_decoded_refuse_the_packet(dgram, words):
    with pytest.raises(MalformedPacket, match=re.escape(words)) as e:
        unpack(dgram)
    assert e.value.address == "/x"                 # so the engine can answer /sentgen/error /x ...


def test_the_one_encoder_builds_what_python_osc_builds():
    """bridge.osc_wire.build (the engine's, bridge.osc_client's, the panel's and the tests' encoder) gives
    python-osc's bytes for every tag both know (an independent encoder), types given or inferred."""
    from pythonosc.osc_message_builder import OscMessageBuilder
    cases = [((), None, ""), ((1, 2.5, "x"), None, "ifs"), (("tonic", "D#"), None, "ss"),
             ((60, 0.0, 1.0, 100, 0) * 3, None, "iffii" * 3), ((1.0,), "d", "d"), ((7,), "h", "h"),
             ((2 ** 40,), None, "h"), ((True, False, None), None, "TFN"), ((b"\x01\x02\x03",), None, "b"),
             (("é",), None, "s"), ((1,), "f", "f"), ((1.5, 2), "di", "di")]
    for args, types, tags in cases:
        ref = OscMessageBuilder(address="/x")
        for a, t in zip(args, tags):
            ref.add_arg(a, t)
        assert build("/x", *args, types=types) == ref.build().dgram, (args, types)
    assert unpack(build("/x", IMPULSE, "a", types="Is")) == [("/x", [IMPULSE, "a"])]
    assert unpack(build("/x", "z", types="c")) == [("/x", ["z"])]
    with pytest.raises(ValueError):
        build("/x", object())


def test_clients_and_panel_have_no_encoder_of_their_own():
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    for path in ("bridge/osc_client.py", "ui/oscclient.py", "bridge/server/replies.py", "bridge/latency.py"):
        assert "pythonosc" not in (root / path).read_text(), path
