"""The protocol table (bridge/protocol.py) is the one list of messages: the engine routes from it, the
docs list exactly it, the engine's replies have its argument types, and the panel and the Max device
name only its messages."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bridge import protocol
from bridge.osc_client import Client
from bridge.osc_server import CHECKS, OPEN_ROUTES, ROUTES
from tests.bridge.conftest import FACTORS, melody_flat

ROOT = Path(__file__).resolve().parents[2]


def _doc_table(heading: str) -> list[str]:
    text = (ROOT / "docs" / "protocol.md").read_text()
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(/sentgen/[a-z/]+)` \|", section, re.M)


def test_routing_comes_from_the_table():
    assert list(ROUTES) == [m.address for m in protocol.REQUESTS]
    assert set(CHECKS) == set(ROUTES)
    assert all(ROUTES[m.address].run == m.handler and ROUTES[m.address].knobs == m.knobs for m in protocol.REQUESTS)
    assert OPEN_ROUTES == {m.address for m in protocol.REQUESTS if m.open}
    data = json.loads(protocol.table_json())
    assert data["version"] == "2" and [m["address"] for m in data["replies"]] == list(protocol.REPLY)


def test_docs_list_exactly_the_tables_messages():
    assert sorted(_doc_table("## Messages to the engine")) == sorted(protocol.REQUEST)
    assert sorted(_doc_table("## Messages from the engine")) == sorted(protocol.REPLY)


def test_every_reply_has_the_tables_types(engine):
    """A session through most requests: every message the engine sends is a reply of the table, with its types."""
    seen = set()
    with Client(port=engine.port, timeout=5) as c:
        def check(address, args):
            assert address in protocol.REPLY, address
            assert protocol.REPLY[address].matches(protocol.tags_of(args)), (address, protocol.tags_of(args))
            seen.add(address)
        for req, args, until in (("/sentgen/hello", (c.port,), "/sentgen/knobs"),
                                 ("/sentgen/clip/set", melody_flat(FACTORS), "/sentgen/edit"),
                                 ("/sentgen/attr/set", ("scale", "major"), "/sentgen/edit"),
                                 ("/sentgen/attr/set", ("colour", 1), "/sentgen/error"),
                                 ("/sentgen/knobs/get", (), "/sentgen/knobs"),
                                 ("/sentgen/model/list", (), "/sentgen/models"),
                                 ("/sentgen/hello/check", (c.port,), "/sentgen/registered"),
                                 ("/sentgen/auth", ("x",), "/sentgen/authorized"),
                                 ("/sentgen/stats", (), "/sentgen/stats"),
                                 ("/sentgen/export/midi", ("t.mid",), "/sentgen/exported"),
                                 ("/sentgen/ping", (), "/sentgen/pong")):
            c.send(req, *args)
            while True:
                address, got = c.wait_for(*protocol.REPLY)
                check(address, got)
                if address in (until, "/sentgen/error"):
                    break
    assert seen >= set(protocol.REPLY) - {"/sentgen/midi/learned"}      # learned needs a MIDI controller


def test_panel_and_max_device_name_only_the_tables_messages():
    src = (ROOT / "ui" / "oscclient.py").read_text()
    from ui.oscclient import REPLY_HANDLERS, EngineClient
    handled = set(REPLY_HANDLERS) | {"/sentgen/registered"}          # registered: handled before the table
    assert set(REPLY_HANDLERS) <= set(protocol.REPLY)
    assert all(callable(getattr(EngineClient, m)) for m in REPLY_HANDLERS.values())
    assert set(protocol.REPLY) - handled <= {"/sentgen/authorized", "/sentgen/stats"}   # not the panel's business
    sent = set(re.findall(r'self\.send\("(/sentgen/[a-z/]+)"', src))
    assert sent and sent <= set(protocol.REQUEST)
    js = (ROOT / "maxpatch" / "sentgen_core.js").read_text()
    device = set(re.findall(r'^\s+\w+: "(/sentgen/[a-z/]+)"', js, re.M))
    assert device and device <= set(protocol.REQUEST) | set(protocol.REPLY), device - set(protocol.REQUEST) - set(protocol.REPLY)


def test_every_requests_handler_is_in_the_handlers_module():
    """A newcomer finds the handler of any request where the table says: bridge/server/handlers.py."""
    from bridge.osc_server import Engine
    from bridge.server.handlers import Handlers
    for m in protocol.REQUESTS:
        name = "do_knob" if m.handler == "knob" else m.handler
        assert name in vars(Handlers), (m.address, name)
    elsewhere = {n for part in Engine.__mro__[1:] if part is not Handlers for n in vars(part)
                 if n.startswith(("net_", "do_"))}
    assert elsewhere == {"do_commit"}        # a ready knob turn's step (queued by the network thread), not a request


def test_replies_are_encoded_with_the_tables_types():
    from bridge.osc_wire import unpack
    assert unpack(protocol.reply("/sentgen/clip", (60, 0, 1, 100, 0))) == [("/sentgen/clip", [60, 0.0, 1.0, 100, 0])]
    assert protocol.reply_tags("/sentgen/edit", 5) == "issss" and protocol.reply_tags("/sentgen/attrs", 8) == "sisf" * 2
    for address, args in (("/sentgen/clip", (60, 0.0)), ("/sentgen/edit", ()), ("/sentgen/pong", ("2",)),
                          ("/sentgen/error", ("a", "b", "c"))):
        with pytest.raises(ValueError):
            protocol.reply(address, args)
    with pytest.raises(ValueError):             # /sentgen/knobs: the tags depend on the values, and are checked
        protocol.reply("/sentgen/knobs", ("k", "K", "rule", 2, "a", "b"))
    with pytest.raises(ValueError):
        protocol.reply("/sentgen/knobs", ("k", "K", "rule", 1.0, "a"), "sssfs")
    assert protocol.reply("/sentgen/knobs", ("k", "K", "rule", 1, "a"), "sssis")
    src = "".join((ROOT / "bridge" / "server" / f).read_text() for f in ("handlers.py", "replies.py", "transport.py"))
    assert "encode(" not in src.replace(".encode(", ""), "every reply goes through protocol.reply"


def test_the_max_devices_table_agrees_with_the_protocol_table():
    """maxpatch/sentgen_core.js keeps its own PROTOCOL table (Max's [js] loads no JSON at start-up): each of its
    addresses is a message of the table, in the right direction (parseIncoming reads replies, the rest are sent)."""
    js = (ROOT / "maxpatch" / "sentgen_core.js").read_text()
    table = dict(re.findall(r'^\s+(\w+): "(/sentgen/[a-z/]+)"', js.split("var PROTOCOL = {", 1)[1].split("};", 1)[0], re.M))
    incoming = js.split("function parseIncoming", 1)[1].split("\n    }\n", 1)[0]
    read = set(re.findall(r"case PROTOCOL\.(\w+):", incoming))
    assert read and read <= set(table)
    for name, address in table.items():
        want = protocol.REPLY if name in read else protocol.REQUEST
        assert address in want, (name, address, "reply" if name in read else "request")
    assert {a for n, a in table.items() if n in read} == set(protocol.REPLY) - {
        "/sentgen/original", "/sentgen/edit", "/sentgen/exported", "/sentgen/midi/learned", "/sentgen/authorized",
        "/sentgen/stats"}, "the replies the device reads"
