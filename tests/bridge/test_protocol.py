"""Every protocol message over real UDP (python-osc on the client side), engine in-process."""
from pathlib import Path


from engine.attributes import LABELS, NAMES
from engine.clip import notes_from_flat, read_midi
from engine.session import Editor

from bridge.osc_client import Client
from bridge.osc_server import ROUTES, load_editor, safe_export_name
from tests.bridge.conftest import attrs_dict, melody_flat, wait_idle

STATE = ["/sentgen/clip", "/sentgen/attrs", "/sentgen/original"]


def load(client, flat=None):
    return client.request("/sentgen/clip/set", *(flat or melody_flat()), until="/sentgen/edit")


def test_ping(client):
    assert client.request("/sentgen/ping", until="/sentgen/pong")["/sentgen/pong"] == ["2", "oracle", "cpu"]   # protocol 2 (issue 12)


def test_stats_count_what_the_engine_did(client):
    from bridge.latency import engine_stats
    before = engine_stats(client)
    load(client)
    client.request("/sentgen/attr/set", "tonic", "D", until="/sentgen/edit")
    client.send("/sentgen/attr/set", "colour", 1.0)
    client.wait_for("/sentgen/error")
    after = engine_stats(client)
    assert after["edits"] == before["edits"] + 1 and after["errors"] == before["errors"] + 1
    assert after["packets"] == before["packets"] + 4 and after["ready"] == 0     # (this engine does not look ahead)
    assert after["looking_ahead"] == 0


def test_state_before_any_clip(client):
    assert client.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"] == []
    rows = attrs_dict(client.request("/sentgen/attrs/get")["/sentgen/attrs"])
    assert list(rows) == list(NAMES) and all(r == (-1, "invalid", -1.0) for r in rows.values())
    err = client.request("/sentgen/attr/set", "tonic", "D")["/sentgen/error"]
    assert err[0] == "/sentgen/attr/set" and "no clip yet" in err[1]


def test_clip_set_replies_state_original_and_edit(client):
    flat = melody_flat()
    flat[1] += 0.1                                      # off the grid: quantised, reported
    got = load(client, flat)
    assert list(got) == STATE + ["/sentgen/edit"]
    assert got["/sentgen/edit"] == [1, "load", "1 note(s) moved to the eighth-note grid"]
    clip = got["/sentgen/clip"]
    assert len(clip) == 12 * 5 and clip[1] == 0.0 and clip == got["/sentgen/original"]
    assert [type(v) for v in clip[:5]] == [int, float, float, int, int]
    rows = attrs_dict(got["/sentgen/attrs"])
    assert rows["tonic"] == (0, "C", 0.0) and rows["scale"][1] == "major"
    assert client.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"] == clip
    assert client.request("/sentgen/original/get", until="/sentgen/original")["/sentgen/original"] == clip


def test_attr_set_label_and_number(client):
    load(client)
    got = client.request("/sentgen/attr/set", "scale", "minor", until="/sentgen/edit")
    assert list(got) == STATE + ["/sentgen/edit"]
    assert got["/sentgen/edit"] == [1, "oracle", ""]
    assert attrs_dict(got["/sentgen/attrs"])["scale"][:2] == (1, "minor")
    assert got["/sentgen/original"] == melody_flat()    # the user's original stays
    got = client.request("/sentgen/attr/set", "tonic", 2 / 11, until="/sentgen/edit")
    assert attrs_dict(got["/sentgen/attrs"])["tonic"][:2] == (2, "D")
    got = client.request("/sentgen/attr/set", "octave", 1, until="/sentgen/edit")    # an int is a number too
    assert attrs_dict(got["/sentgen/attrs"])["octave"][:2] == (2, "6")
    got = client.request("/sentgen/attr/set", "octave", "6", until="/sentgen/edit")  # already there
    assert got["/sentgen/edit"][:2] == [1, "unchanged"]


def test_attrs_set_several_in_one_edit(engine, client):
    load(client)
    got = client.request("/sentgen/attrs/set", "tonic", "D#", "rhythm_bar1", "11111100", "arp_chord2", "down",
                         until="/sentgen/edit")
    rows = attrs_dict(got["/sentgen/attrs"])
    assert (rows["tonic"][1], rows["rhythm_bar1"][1], rows["arp_chord2"][1]) == ("D#", "11111100", "down")
    assert engine.session.editor.calls[-1] == {0: 3, 3: LABELS[3].index("11111100"), 6: 1}


def test_undo_redo(client):
    load(client)
    client.request("/sentgen/attr/set", "tonic", "E", until="/sentgen/edit")
    got = client.request("/sentgen/undo", until="/sentgen/original")
    assert list(got) == STATE and attrs_dict(got["/sentgen/attrs"])["tonic"][1] == "C"
    assert client.request("/sentgen/undo")["/sentgen/error"] == ["/sentgen/undo", "nothing to undo"]
    got = client.request("/sentgen/redo", until="/sentgen/original")
    assert attrs_dict(got["/sentgen/attrs"])["tonic"][1] == "E"
    assert client.request("/sentgen/redo")["/sentgen/error"] == ["/sentgen/redo", "nothing to redo"]


def test_random(client):
    a = client.request("/sentgen/random", 7, until="/sentgen/original")
    b = client.request("/sentgen/random", 7, until="/sentgen/original")
    assert a["/sentgen/clip"] == b["/sentgen/clip"] and a["/sentgen/clip"]
    assert a["/sentgen/original"] == a["/sentgen/clip"]
    assert all(r[0] >= 0 for r in attrs_dict(a["/sentgen/attrs"]).values())
    assert "/sentgen/clip" in client.request("/sentgen/random", until="/sentgen/original")


def test_hello_registers_and_everyone_stays_in_sync(engine):
    with Client(port=engine.port) as a, Client(port=engine.port) as b, Client(port=engine.port) as stranger:
        for c in (a, b):
            got = c.request("/sentgen/hello", c.port, until="/sentgen/original")
            assert list(got) == ["/sentgen/pong"] + STATE
        a.drain()
        load(a)                                          # a's change reaches b too
        assert b.wait_for("/sentgen/edit")[1][1] == "load"
        # an unregistered sender is answered at its source address, and registered clients see it
        stranger.request("/sentgen/attr/set", "tonic", "G", until="/sentgen/edit")
        assert attrs_dict(a.wait_for("/sentgen/attrs")[1])["tonic"][1] == "G"
        assert attrs_dict(b.wait_for("/sentgen/attrs")[1])["tonic"][1] == "G"
        a.drain(0.02)
        b.drain(0.02)
        b.send("/sentgen/bye", b.port)
        wait_idle(engine)
        stranger.request("/sentgen/undo", until="/sentgen/original")
        assert a.wait_for("/sentgen/original")
        assert b.recv(0.1) is None                       # b said bye
        assert a.request("/sentgen/bye", 1)["/sentgen/error"][1].startswith("no client registered")


def test_hello_check_tells_a_surface_whether_the_engine_knows_it(engine):
    with Client(port=engine.port) as a, Client(port=engine.port) as b:
        assert a.request("/sentgen/hello/check", a.port, until="/sentgen/registered")["/sentgen/registered"] == [a.port, 0]
        a.request("/sentgen/hello", a.port, until="/sentgen/original")
        a.drain(0.02)
        assert a.request("/sentgen/hello/check", a.port, until="/sentgen/registered")["/sentgen/registered"] == [a.port, 1]
        assert b.recv(0.1) is None                       # the answer goes to the asker only
        a.send("/sentgen/bye", a.port)
        wait_idle(engine)
        assert a.request("/sentgen/hello/check", a.port, until="/sentgen/registered")["/sentgen/registered"] == [a.port, 0]
        assert "/sentgen/error" in a.request("/sentgen/hello/check", "x", until="/sentgen/error")


def test_model_list_and_load(engine, client, model_path):
    assert client.request("/sentgen/model/list", until="/sentgen/models")["/sentgen/models"] == ["s2", "other"]
    load(client)
    before = client.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"]
    got = client.request("/sentgen/model/load", "other", until="/sentgen/original")
    assert got["/sentgen/clip"] == before                # switching keeps the clip
    assert client.request("/sentgen/ping", until="/sentgen/pong")["/sentgen/pong"][1] == "other"
    assert isinstance(engine.session.editor, Editor)
    for bad in ("nope", "../s2", "/etc/passwd", ".hidden", "s2.traversal"):
        err = client.request("/sentgen/model/load", bad)["/sentgen/error"]
        assert err[0] == "/sentgen/model/load", bad
    assert client.request("/sentgen/ping", until="/sentgen/pong")["/sentgen/pong"][1] == "other"


def test_real_model_edit_answers_state_or_error(make_engine, model_path):
    """With the VAE itself (shipped s2 in CI, else a tiny untrained one): an edit is exact, not exact, or refused."""
    eng = make_engine(load_editor(model_path, "cpu"))
    with Client(port=eng.port, timeout=30) as c:
        assert c.request("/sentgen/ping", until="/sentgen/pong")["/sentgen/pong"][1] == model_path.stem
        load(c)
        for name, label in (("octave", "5"), ("scale", "minor"), ("arp_chord1", "down")):
            c.send("/sentgen/attr/set", name, label)
            address, args = c.wait_for("/sentgen/edit", "/sentgen/error", timeout=30)
            rows = attrs_dict(c.request("/sentgen/attrs/get")["/sentgen/attrs"])
            if address == "/sentgen/edit" and args[0] == 1:
                assert rows[name][1] == label
            elif address == "/sentgen/error":
                assert args[0] == "/sentgen/attr/set" and args[1]
        c.send("/sentgen/random", 1)
        address, _ = c.wait_for("/sentgen/original", "/sentgen/error", timeout=30)


def test_export_midi(engine, client):
    assert "no clip" in client.request("/sentgen/export/midi")["/sentgen/error"][1]
    load(client)
    for name, expect in (("my clip", "my clip.mid"), ("../../escape", "escape.mid"), ("a/b\\c.mid", "c.mid"),
                         ("..", "clip.mid"), ("x" * 200, "x" * 64 + ".mid")):
        path = Path(client.request("/sentgen/export/midi", name, until="/sentgen/exported")["/sentgen/exported"][0])
        assert path.parent == (engine.state_dir / "export").resolve() and path.name == expect
        notes, bpm = read_midi(path)
        assert [n.pitch for n in notes] == [n.pitch for n in notes_from_flat(melody_flat())] and bpm == 120
    path = client.request("/sentgen/export/midi", until="/sentgen/exported")["/sentgen/exported"][0]
    assert Path(path).name.startswith("sentgen-") and Path(path).exists()
    assert not list(Path(path).parent.glob(".*tmp*"))


def test_safe_export_name():
    assert safe_export_name("C:\\Users\\x\\evil.mid") == "evil.mid"
    assert safe_export_name("ok-name_1 (2)") == "ok-name_1 (2).mid"
    assert safe_export_name("\x00\x01") == "__.mid"


def test_midi_messages_without_midi(client):
    for address, args in (("/sentgen/play", (120.0,)), ("/sentgen/stop", ()), ("/sentgen/midi/learn", ("tonic",))):
        err = client.request(address, *args)["/sentgen/error"]
        assert err[0] == address and "MIDI is off" in err[1]


def test_bundle_applied_in_order(engine, client):
    from bridge.osc_client import build
    from bridge.osc_wire import encode_bundle
    client.send_raw(encode_bundle([build("/sentgen/clip/set", *melody_flat()),
                                   build("/sentgen/attr/set", "tonic", "A"),
                                   build("/sentgen/attr/set", "scale", "blues")]))
    edits = [client.wait_for("/sentgen/edit")[1][1] for _ in range(3)]
    assert edits == ["load", "oracle", "oracle"]
    rows = attrs_dict(client.request("/sentgen/attrs/get")["/sentgen/attrs"])
    assert rows["tonic"][1] == "A" and rows["scale"][1] == "blues"


def test_every_route_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
    for address in list(ROUTES) + ["/sentgen/pong", "/sentgen/clip", "/sentgen/attrs", "/sentgen/original",
                                   "/sentgen/models", "/sentgen/error", "/sentgen/edit", "/sentgen/exported",
                                   "/sentgen/midi/learned", "/sentgen/stats"]:
        assert f"`{address}`" in doc, address
