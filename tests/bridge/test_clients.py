"""Several clients at once: no client can silence another (registrations, bye, coalesced knob moves),
replies do not amplify towards the registered clients, and the token (docs/protocol.md, Who gets the answers).
Real UDP sockets throughout, but for the last test (who a coalesced move answers, as a plain object)."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from bridge import cli
from bridge.osc_client import Client, build
from bridge.osc_wire import unpack
from engine.session import EditOutcome
from bridge.osc_server import MAX_CLIENTS, MAX_CLIENTS_PER_HOST
from tests.bridge.conftest import OracleEditor, attrs_dict, melody_flat

STATE = ["/sentgen/clip", "/sentgen/attrs", "/sentgen/original"]


def registered(client, port=None) -> bool:
    """Ask the engine (/sentgen/hello/check) whether client's host + port is registered."""
    port = client.port if port is None else port
    client.send("/sentgen/hello/check", port)
    got = client.wait_for("/sentgen/registered")[1]
    assert got[0] == port
    return bool(got[1])


def reply_sockets(n, host="127.0.0.1"):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((host, 0))
        socks.append(s)
    return socks


def wait_until(cond, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.002)


def test_hellos_from_one_socket_refuse_instead_of_evicting_the_panel(engine):
    ports = reply_sockets(MAX_CLIENTS + 8)
    try:
        with Client(port=engine.port) as panel, Client(port=engine.port) as spammer:
            panel.request("/sentgen/hello", panel.port, until="/sentgen/original")
            for s in ports:                                  # 40 registrations asked from one socket
                spammer.send("/sentgen/hello", s.getsockname()[1])
            refusals = [spammer.wait_for("/sentgen/error")[1] for _ in range(len(ports) - (MAX_CLIENTS_PER_HOST - 1))]
            assert all(r[0] == "/sentgen/hello" and f"from 127.0.0.1 ({MAX_CLIENTS_PER_HOST})" in r[1]
                       for r in refusals), refusals[0]
            assert len(engine._clients) == MAX_CLIENTS_PER_HOST
            assert registered(panel)                         # the panel's registration is still there
            with Client(port=engine.port) as script:
                script.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
            assert panel.wait_for("/sentgen/edit")[1][1] == "load"      # and it still hears every change
    finally:
        for s in ports:
            s.close()


def test_a_full_table_refuses_new_registrations_from_any_host(engine):
    """127.0.0.x are all loopback on Linux: three hosts, 16 + 16 registrations, the 33rd is refused."""
    socks = []
    try:
        for host in ("127.0.0.1", "127.0.0.2"):
            for s in reply_sockets(MAX_CLIENTS_PER_HOST, host):
                socks.append(s)
                s.sendto(build("/sentgen/hello", s.getsockname()[1]), ("127.0.0.1", engine.port))
        wait_until(lambda: len(engine._clients) == MAX_CLIENTS)
        late = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        socks.append(late)
        late.bind(("127.0.0.3", 0))
        late.settimeout(5)
        late.sendto(build("/sentgen/hello", late.getsockname()[1]), ("127.0.0.1", engine.port))
        got = unpack(late.recv(65536))[0]
        assert got[0] == "/sentgen/error" and f"too many clients registered ({MAX_CLIENTS})" in got[1][1], got
        assert ("127.0.0.3", late.getsockname()[1]) not in engine._clients
        assert set(engine._clients) == {("127.0.0.1" if i < MAX_CLIENTS_PER_HOST else "127.0.0.2", s.getsockname()[1])
                                        for i, s in enumerate(socks[:MAX_CLIENTS])}
    finally:
        for s in socks:
            s.close()


def test_bye_only_from_the_registering_socket_or_the_registered_address(engine):
    with Client(port=engine.port) as panel, Client(port=engine.port) as stranger, \
            Client(port=engine.port) as max_send, Client(port=engine.port) as max_recv:
        panel.request("/sentgen/hello", panel.port, until="/sentgen/original")
        err = stranger.request("/sentgen/bye", panel.port, until="/sentgen/error")["/sentgen/error"]
        assert err[0] == "/sentgen/bye" and "registered by another socket" in err[1]
        # saying hello for the panel's port does not make the stranger its owner
        stranger.send("/sentgen/hello", panel.port)
        panel.wait_for("/sentgen/original")
        assert "registered by another socket" in stranger.request("/sentgen/bye", panel.port)["/sentgen/error"][1]
        assert registered(panel)
        # Max: [udpsend] registers the port of its [udpreceive]; either socket may say bye
        max_send.send("/sentgen/hello", max_recv.port)
        max_recv.wait_for("/sentgen/original")
        max_send.send("/sentgen/bye", max_recv.port)
        wait_until(lambda: ("127.0.0.1", max_recv.port) not in engine._clients)
        max_send.send("/sentgen/hello", max_recv.port)
        max_recv.wait_for("/sentgen/original")
        max_recv.send("/sentgen/bye", max_recv.port)
        wait_until(lambda: ("127.0.0.1", max_recv.port) not in engine._clients)
        assert not engine._hello_sources.get(max_send.sock.getsockname())


class Gated(OracleEditor):
    """An octave edit waits at a gate (the worker is busy); tonic E is refused."""

    def __init__(self):
        super().__init__()
        self.gate, self.waiting = threading.Event(), threading.Event()

    def edit(self, tokens, targets, budget=1024, a0=None, z0=None, deadline=None, interrupt=None):
        if 1 in targets:
            self.waiting.set()
            self.gate.wait(10)
        if targets.get(0) == 4:
            return EditOutcome(None, False, None, "tonic E refused (test)", 1, "oracle")
        return super().edit(tokens, targets, budget, a0, z0)


def coalesce(eng, a, b, c, final):
    """a holds the worker; b's tonic move waits; c's tonic move replaces it; then the gate opens."""
    a.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
    a.send("/sentgen/attr/set", "octave", "5")
    wait_until(eng.session.editor.waiting.is_set)
    b.send("/sentgen/attr/set", "tonic", "D")
    wait_until(lambda: eng.knob_pending("tonic"))
    c.send("/sentgen/attr/set", "tonic", final)
    wait_until(lambda: eng.stats["coalesced"] == 1)
    eng.session.editor.gate.set()


def test_a_coalesced_knob_move_is_answered_to_its_sender(make_engine):
    """b's move waits while the worker is busy; c's move of the same knob replaces it: b still gets the
    answer (the state that replaced its move), and so does c.  Neither said hello."""
    eng = make_engine(Gated())
    with Client(port=eng.port) as a, Client(port=eng.port) as b, Client(port=eng.port) as c:
        coalesce(eng, a, b, c, "F")
        for who in (b, c):
            got = {}
            while "/sentgen/edit" not in got:
                m = who.wait_for(*STATE, "/sentgen/edit")
                got[m[0]] = m[1]
            assert list(got) == STATE + ["/sentgen/edit"]
            assert attrs_dict(got["/sentgen/attrs"])["tonic"][1] == "F"
            assert attrs_dict(got["/sentgen/attrs"])["octave"][1] == "5"


def test_a_refused_coalesced_move_tells_every_sender(make_engine):
    eng = make_engine(Gated())
    with Client(port=eng.port) as a, Client(port=eng.port) as b, Client(port=eng.port) as c:
        coalesce(eng, a, b, c, "E")
        for who in (b, c):
            err = who.wait_for("/sentgen/error")[1]
            assert err[0] == "/sentgen/attr/set" and "tonic E refused" in err[1]


def test_an_unregistered_sender_is_answered_alone(engine):
    """Reads, errors and a hello of a socket that never said hello go to it alone; the registered client
    hears only state changes.  (Before: every one of these also went to every registered client.)"""
    with Client(port=engine.port) as a, Client(port=engine.port) as s, Client(port=engine.port) as newcomer:
        a.request("/sentgen/hello", a.port, until="/sentgen/original")
        a.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
        a.drain(0.02)
        s.request("/sentgen/ping", until="/sentgen/pong")
        s.request("/sentgen/clip/get", until="/sentgen/clip")
        s.request("/sentgen/attrs/get", until="/sentgen/attrs")
        s.request("/sentgen/original/get", until="/sentgen/original")
        s.request("/sentgen/model/list", until="/sentgen/models")
        s.request("/sentgen/nope", until="/sentgen/error")
        s.request("/sentgen/undo", until="/sentgen/error")               # refused: nothing to undo
        s.request("/sentgen/attr/set", "tonic", "nope", until="/sentgen/error")
        s.request("/sentgen/export/midi", "x", until="/sentgen/exported")
        s.send_raw(b"/sentgen/ping\0\0\0,i\0\0\0\0")                     # malformed (short int)
        s.wait_for("/sentgen/error")
        newcomer.request("/sentgen/hello", newcomer.port, until="/sentgen/original")
        # a marker through the worker: nothing of the above reached a before its answer
        assert list(a.request("/sentgen/attrs/get", until="/sentgen/attrs")) == ["/sentgen/attrs"]
        # a state change of the stranger is broadcast: a hears it, and the stranger gets its answer
        s.request("/sentgen/attr/set", "tonic", "D", until="/sentgen/edit")
        got = a.wait_for("/sentgen/attrs")[1]
        assert attrs_dict(got)["tonic"][1] == "D"


@pytest.fixture(scope="module")
def lan_ip():
    """A non-loopback address of this machine (the engine must listen beyond loopback), or skip."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))                     # no packet is sent: only picks the outgoing address
        ip = s.getsockname()[0]
    except OSError:
        ip = None
    finally:
        s.close()
    if not ip or ip.startswith("127."):
        pytest.skip("no non-loopback address on this machine")
    return ip


def test_beyond_loopback_an_engine_needs_a_token(make_engine, lan_ip):
    with pytest.raises(ValueError, match="needs a token"):
        make_engine(host=lan_ip)
    with pytest.raises(ValueError, match="needs a token"):
        make_engine(host="0.0.0.0")


@pytest.mark.parametrize("where", ["lan", "loopback"])
def test_token_guards_every_change(make_engine, where, request):
    host = request.getfixturevalue("lan_ip") if where == "lan" else "127.0.0.1"
    eng = make_engine(host=host, token="s3cret")
    export = eng.state_dir / "export"
    with Client(host, eng.port) as ok, Client(host, eng.port) as other:
        # reads are open
        assert ok.request("/sentgen/ping", until="/sentgen/pong")["/sentgen/pong"][0] == "2"
        assert ok.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"] == []
        # without the token, everything that changes state or writes files is refused, to the sender only
        changes = [("/sentgen/hello", other.port), ("/sentgen/bye", other.port), ("/sentgen/clip/set", *melody_flat()),
                   ("/sentgen/attr/set", "tonic", "D"), ("/sentgen/attrs/set", "tonic", "D"), ("/sentgen/random",),
                   ("/sentgen/undo",), ("/sentgen/redo",), ("/sentgen/model/load", "other"),
                   ("/sentgen/export/midi", "x"), ("/sentgen/midi/learn", "tonic"), ("/sentgen/play",),
                   ("/sentgen/stop",)]
        for address, *args in changes:
            err = other.request(address, *args, until="/sentgen/error")["/sentgen/error"]
            assert err[0] == address and "needs its token" in err[1], err
        assert "wrong token" in other.request("/sentgen/auth", "guess", until="/sentgen/error")["/sentgen/error"][1]
        assert "needs its token" in other.request("/sentgen/random", until="/sentgen/error")["/sentgen/error"][1]
        assert not eng.session.has_clip and not eng._clients and not export.exists()
        assert eng.session.editor.name == "oracle"
        # with it, the same socket may change things; another socket on the same host still may not
        assert ok.request("/sentgen/auth", "s3cret", until="/sentgen/authorized")["/sentgen/authorized"] == [1]
        got = ok.request("/sentgen/hello", ok.port, until="/sentgen/original")
        assert list(got) == ["/sentgen/pong"] + STATE
        ok.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
        assert ok.request("/sentgen/attr/set", "tonic", "D", until="/sentgen/edit")["/sentgen/edit"][0] == 1
        assert ok.request("/sentgen/export/midi", "x", until="/sentgen/exported")["/sentgen/exported"][0].endswith("x.mid")
        assert "needs its token" in other.request("/sentgen/undo", until="/sentgen/error")["/sentgen/error"][1]
        # the refusal went to the sender only: the registered client hears only its marker's answer
        got = ok.request("/sentgen/attrs/get", until="/sentgen/attrs")
        assert list(got) == ["/sentgen/attrs"] and attrs_dict(got["/sentgen/attrs"])["tonic"][1] == "D"


def test_without_a_token_auth_is_harmless(engine, client):
    """A surface configured with a token talks to a loopback engine without one: protocol v1 as before."""
    assert client.request("/sentgen/auth", "anything", until="/sentgen/authorized")["/sentgen/authorized"] == [0]
    assert "/sentgen/edit" in client.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")


def test_serve_takes_the_token_from_the_option_or_the_environment(monkeypatch, capsys, tmp_path):
    import bridge.engine_process as ep
    seen = []
    monkeypatch.setattr(ep, "serve", lambda opts, panel=False: seen.append(opts) or 0)
    monkeypatch.delenv("SENTGEN_TOKEN", raising=False)
    assert cli.main(["serve", "--port", "0"]) == 0
    monkeypatch.setenv("SENTGEN_TOKEN", "from-env")
    assert cli.main(["serve", "--port", "0"]) == 0
    assert cli.main(["serve", "--port", "0", "--token", "given"]) == 0
    assert [o.token for o in seen] == [None, "from-env", "given"]
    monkeypatch.undo()
    monkeypatch.delenv("SENTGEN_TOKEN", raising=False)
    # a real `sentgen serve` beyond loopback without a token stops before loading anything: exit 2
    code = cli.main(["serve", "--host", "0.0.0.0", "--port", "0", "--midi", "none", "--state-dir", str(tmp_path)])
    assert code == 2 and "needs a token" in capsys.readouterr().err


def test_coalesced_senders_latest_last_and_capped():
    """A coalesced move answers each sender once, the latest last; a sender that moves again is the latest,
    not answered twice; at most MAX_COALESCED_SENDERS others are kept, and a move handed over (Senders) adds its
    senders the same way."""
    from bridge.server.work import MAX_COALESCED_SENDERS, Senders, _Knob
    knob = _Knob("density", "6-7 notes", "a", False)
    assert knob.senders() == "a"
    knob.replace("8-9 notes", "b", False)
    knob.replace("10-11 notes", "a", True)
    assert knob.senders() == Senders(("b", "a")) and (knob.value, knob.midi, knob.count) == ("10-11 notes", True, 3)
    for i in range(2 * MAX_COALESCED_SENDERS):
        knob.replace("6-7 notes", f"s{i}", False)
    got = knob.senders()
    assert len(got) == MAX_COALESCED_SENDERS + 1 and got[-1] == f"s{2 * MAX_COALESCED_SENDERS - 1}"
    assert got[:2] == ("b", "a") and len(set(got)) == len(got)
    fresh = _Knob("density", "6-7 notes", "x", False)
    fresh.inherit(Senders(("y", "x", "z")))
    assert fresh.senders() == Senders(("y", "z", "x"))
