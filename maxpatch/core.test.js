// Tests of the pure logic in sentgen_core.js. Run: node --test maxpatch/
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const core = require("./sentgen_core.js");

test("labels match the engine: 12 tonics, 3 octaves, 3 scales, 28 rhythms, 2 arps", () => {
    assert.deepEqual(core.ATTR_NAMES, ["tonic", "octave", "scale", "rhythm_bar1", "rhythm_bar2",
        "arp_chord1", "arp_chord2", "arp_chord3", "arp_chord4"]);
    assert.deepEqual(core.ATTR_LABELS.map((l) => l.length), [12, 3, 3, 28, 28, 2, 2, 2, 2]);
    assert.equal(core.TONIC_LABELS[1], "C#");
    assert.deepEqual(core.OCTAVE_LABELS, ["4", "5", "6"]);
    assert.deepEqual(core.SCALE_LABELS, ["major", "minor", "blues"]);
    assert.deepEqual(core.ARP_LABELS, ["up", "down"]);
    const r = core.RHYTHM_LABELS;
    assert.equal(r[0], "11111100");
    assert.equal(r[1], "11111010");
    assert.equal(r[27], "00111111");
    assert.equal(new Set(r).size, 28);
    r.forEach((x) => assert.equal(x.replace(/0/g, "").length, 6));
    // lexicographic order of the onset subsets == descending order of the strings
    assert.deepEqual(r.slice().sort().reverse(), r);
});

test("knob index -> normalised value index/(n-1), and back", () => {
    const t = new core.KnobTable(core.fallbackKnobs(), false);
    assert.equal(t.value("tonic", 0), 0);
    assert.equal(t.value("tonic", 11), 1);
    assert.equal(t.value("octave", 1), 0.5);
    assert.equal(t.value("rhythm_bar1", 27), 1);
    assert.equal(t.value("arp_chord3", 1), 1);
    assert.equal(t.value("tonic", 12), null);
    assert.equal(t.value("tonic", -1), null);
    assert.equal(t.value("nope", 0), null);
    for (const k of t.knobs) {
        for (let i = 0; i < k.count; i++) {
            assert.equal(t.indexOfValue(k.name, t.value(k.name, i)), i);
        }
    }
    assert.deepEqual(t.setMessage("scale", 2), ["/sentgen/attr/set", "scale", 1]);
    assert.equal(t.setMessage("scale", 3), null);
    // the fallback table is the dMelodies one, titled as the dials were
    assert.deepEqual(t.names(), core.ATTR_NAMES);
    assert.deepEqual(t.knobs.map((k) => k.title), core.ATTR_SHORT);
    assert.equal(t.slot(9).name, "arp_chord4");
    assert.equal(t.slot(10), null);
    assert.equal(t.slot(0), null);
});

test("clip read -> /sentgen/clip/set, flat, sorted, velocity and mute kept", () => {
    const raw = JSON.stringify({notes: [
        {note_id: 2, pitch: 64, start_time: 1, duration: 0.5, velocity: 90.4, mute: 0, probability: 1},
        {note_id: 1, pitch: 60, start_time: 0, duration: 0.5, velocity: 100, mute: 1, probability: 1},
        {note_id: 3, pitch: 67, start_time: 7.5, duration: 1.5, velocity: 127, mute: 0}
    ]});
    const p = core.prepareClipSet(raw, 8);
    assert.equal(p.ok, true);
    assert.deepEqual(p.message, ["/sentgen/clip/set",
        60, 0, 0.5, 100, 1,
        64, 1, 0.5, 90, 0,
        67, 7.5, 0.5, 127, 0]);   // last note shortened to end at beat 8
    assert.equal(p.muted, 1);
    assert.match(p.status, /1 muted notes stay muted/);
});

test("empty clip: no message, a clear status", () => {
    const p = core.prepareClipSet(JSON.stringify({notes: []}), 8);
    assert.equal(p.ok, false);
    assert.equal(p.message, null);
    assert.equal(p.empty, true);
    assert.match(p.status, /empty/);
    assert.match(p.status, /Random/);
});

test("clip longer than 2 bars: only notes starting before beat 8 are sent", () => {
    const raw = {notes: [
        {pitch: 60, start_time: 0, duration: 1, velocity: 100, mute: 0},
        {pitch: 62, start_time: 8, duration: 1, velocity: 100, mute: 0},
        {pitch: 64, start_time: 12.5, duration: 1, velocity: 100, mute: 0}
    ]};
    const p = core.prepareClipSet(raw, 16);
    assert.deepEqual(p.message, ["/sentgen/clip/set", 60, 0, 1, 100, 0]);
    assert.equal(p.beyond, 2);
    assert.match(p.status, /longer than 2 bars/);
    assert.match(p.status, /first 2 bars/);
    // a long clip with nothing after bar 2 still gets the note
    assert.match(core.prepareClipSet({notes: [raw.notes[0]]}, 32).status, /longer than 2 bars/);
    // only later notes: nothing to edit in bars 1-2
    const q = core.prepareClipSet({notes: [raw.notes[1]]}, 16);
    assert.equal(q.ok, false);
    assert.match(q.status, /first 2 bars/);
});

test("unreadable notes and input never throw", () => {
    assert.equal(core.prepareClipSet("{not json", 8).ok, false);
    assert.equal(core.prepareClipSet(null, 8).empty, true);
    const p = core.prepareClipSet({notes: [{pitch: 200, start_time: 0, duration: 1},
        {pitch: 60, start_time: -1, duration: 1}, {pitch: 60, start_time: 0, duration: 0},
        {pitch: 61, start_time: 0, duration: 1, velocity: "x"}, {pitch: 62, start_time: 0, duration: 1}]}, 8);
    assert.equal(p.invalid, 4);
    assert.deepEqual(p.message, ["/sentgen/clip/set", 62, 0, 1, 100, 0]);
    // a Max dict turns a one-note array into an object
    assert.equal(core.notesArrayOf({notes: {pitch: 60, start_time: 0, duration: 1}}).length, 1);
});

test("/sentgen/clip -> note dictionaries for add_new_notes", () => {
    const r = core.parseClipArgs([64, 1.0, 0.5, 80, 1, 60, 0.0, 0.5, 100, 0]);
    assert.equal(r.ok, true);
    assert.deepEqual(core.notesToLiveDict(r.notes), {notes: [
        {pitch: 60, start_time: 0, duration: 0.5, velocity: 100, mute: 0},
        {pitch: 64, start_time: 1, duration: 0.5, velocity: 80, mute: 1}
    ]});
    assert.deepEqual(core.parseClipArgs([]), {ok: true, notes: [], error: ""});
    assert.equal(core.parseClipArgs([60, 0, 0.5, 100]).ok, false);
    assert.equal(core.parseClipArgs([60, 0, 0.5, 100, 2]).ok, false);
    assert.equal(core.parseClipArgs([128, 0, 0.5, 100, 0]).ok, false);
    assert.equal(core.parseClipArgs([60, 9, 0.5, 100, 0]).ok, false);
    assert.equal(core.parseClipArgs([60, 0, "x", 100, 0]).ok, false);
});

test("/sentgen/attrs parses nine groups, invalid ones and number-like labels", () => {
    const args = ["tonic", 2, "D", 2 / 11, "octave", 0, "4", 0, "scale", -1, "invalid", NaN,
        "rhythm_bar1", 27, 111111, 1, "rhythm_bar2", 0, "11111100", 0,
        "arp_chord1", 0, "up", 0, "arp_chord2", 1, "down", 1, "arp_chord3", -1, "invalid", NaN,
        "arp_chord4", 0, "up", 0];
    const r = core.parseAttrsArgs(args);
    assert.equal(r.ok, true);
    assert.equal(r.attrs.length, 9);
    const k = new core.KnobState();
    k.onVersion("1");
    assert.equal(k.setAttrs(r.attrs).ok, true);
    assert.equal(k.rows[3].label, "00111111", "the table's label for a number that lost its zeros");
    assert.equal(k.rows[1].label, "4");
    assert.equal(core.formatAttrs(k.rows, k.table.names()), "D 4 invalid | 00111111 11111100 | up down invalid up");
    assert.equal(k.summary(), "D 4 invalid | 00111111 11111100 | up down invalid up  (no valid scale, arp_chord3)");
    assert.deepEqual(core.invalidAttrs(r.attrs), ["scale", "arp_chord3"]);
    assert.equal(core.parseAttrsArgs(["tonic", 0, "C"]).ok, false);
    assert.equal(core.parseAttrsArgs(["tonic", -2, "C", 0]).ok, false);
    // against the table: an index past a knob's values, or (protocol 1) a
    // knob the fallback table does not have, is an error that keeps the rows
    assert.equal(k.setAttrs(core.parseAttrsArgs(["tonic", 12, "x", 0]).attrs).ok, false);
    assert.match(k.setAttrs(core.parseAttrsArgs(["bogus", 0, "x", 0]).attrs).error, /unknown knob bogus/);
    assert.equal(k.rows.length, 9);
});

// A toy model: 2 knobs; a folk-like one: 8 (folk.md); one with 14.
const TOY = ["a", "Alpha", "learned", 3, "x", "y", "z", "b", "Beta", "rule", 2, "p", "q"];
const FOLK = [["key", 12], ["octave", 6], ["mode", 2], ["density", 8], ["complexity", 7], ["range", 7],
    ["leaps", 7], ["contour", 7]].reduce((out, [name, n]) => out.concat([name, name.toUpperCase(),
    name === "key" || name === "octave" ? "rule" : "learned", n],
    Array.from({length: n}, (_, i) => name === "octave" ? String(i + 2) : name + i)), []);

test("/sentgen/knobs parses name title kind count labels; bad ones are refused with a reason", () => {
    const r = core.parseIncoming("/sentgen/knobs", TOY);
    assert.equal(r.kind, "knobs");
    assert.equal(r.ok, true);
    assert.deepEqual(r.knobs, [
        {name: "a", title: "Alpha", kind: "learned", count: 3, labels: ["x", "y", "z"]},
        {name: "b", title: "Beta", kind: "rule", count: 2, labels: ["p", "q"]}]);
    // labels Max turned into numbers come back as text
    assert.deepEqual(core.parseKnobsArgs(["octave", "Octave", "rule", 3, 2, 3, 4]).knobs[0].labels, ["2", "3", "4"]);
    assert.equal(core.parseKnobsArgs(FOLK).knobs.length, 8);
    assert.deepEqual(core.parseKnobsArgs([]), {ok: true, knobs: [], error: ""});
    const bad = [
        [["a", "A", "learned"], /needs name, title, kind and count/],
        [["a", "A", "learned", 3, "x", "y"], /3 values but only 2 labels/],
        [["a", "A", "magic", 1, "x"], /kind must be learned or rule/],
        [["a", "A", "learned", 0], /count must be/],
        [["a", "A", "learned", 1.5, "x"], /count must be/],
        [[7, "A", "learned", 1, "x"], /no name/],
        [["a", "A", "learned", 1, "x", "a", "A", "rule", 1, "y"], /a appears twice/]];
    for (const [args, re] of bad) {
        const m = core.parseKnobsArgs(args);
        assert.equal(m.ok, false, JSON.stringify(args));
        assert.match(m.error, re);
    }
});

test("knob state: the table follows /sentgen/knobs; attrs rows by name; dials past the model are unused", () => {
    const k = new core.KnobState();
    assert.deepEqual(k.onVersion("2", true), {request: true, reset: false}, "a protocol-2 engine is asked for its knobs");
    assert.deepEqual(k.onVersion("2", false), {request: false, reset: false}, "once per connection");
    // attributes of knobs the fallback table lacks: nothing moves, knobs asked for again
    const early = k.setAttrs(core.parseAttrsArgs(["b", 1, "q", 1, "a", 2, "z", 1]).attrs);
    assert.deepEqual([early.ok, early.matched, early.request, early.feedback], [true, false, true, []]);
    assert.equal(k.summary(), "q z");
    assert.deepEqual(k.setKnobs(core.parseKnobsArgs(TOY).knobs), {changed: true, warning: ""});
    assert.deepEqual(k.setKnobs(core.parseKnobsArgs(TOY).knobs), {changed: false, warning: ""}, "the same again");
    assert.deepEqual(k.onVersion("2", true), {request: false, reset: false}, "no request once they are here");
    // the rows that came early now map by name (b is dial 2 though it came first)
    assert.equal(k.matched, true);
    assert.equal(k.summary(), "z q");
    const v = k.view();
    assert.deepEqual(v.slice(0, 2).map((d) => [d.active, d.title, d.label, d.value]),
        [[1, "Alpha", "z", 1], [1, "Beta", "q", 1]]);
    assert.ok(v.slice(2).every((d) => d.active === 0 && d.title === "" && d.label === "" && d.knob === null));
    assert.equal(v.length, 12);
    const f = k.setAttrs(core.parseAttrsArgs(["b", 0, "p", 0, "a", 1, "y", 0.5]).attrs).feedback;
    assert.deepEqual(f, [{n: 2, index: 0, value: 0, label: "p"}, {n: 1, index: 1, value: 0.5, label: "y"}]);
    // dial 2 (2 values): 0..1 -> index round(v), only a change of index is sent
    assert.deepEqual(k.turn(2, 0.4).message, null);
    assert.deepEqual(k.turn(2, 0.6).message, ["/sentgen/attr/set", "b", 1]);
    assert.deepEqual(k.turn(2, 0.9).message, null);
    assert.deepEqual(k.turn(1, 0.2).message, ["/sentgen/attr/set", "a", 0]);
    const unused = k.turn(3, 0.7);
    assert.deepEqual([unused.ok, unused.message], [false, null]);
    assert.match(unused.status, /Dial 3 is not used by this model \(it has 2 knobs\)/);
    assert.match(k.turn(13, 0).status, /Unknown dial 13/);
    assert.deepEqual(k.pick(1, 2).message, ["/sentgen/attr/set", "a", 1]);
    assert.equal(k.pick(4, 0).ok, false);
    // the dMelodies names are gone: a tonic row is an unknown (stale) one
    assert.equal(k.setByName("tonic", 1).ok, false);
    // a protocol-1 engine (restarted older one): back to the fallback table
    assert.deepEqual(k.onVersion("1", true), {request: false, reset: true});
    assert.equal(k.view()[8].title, "Arp 4");
});

test("knob state: a folk-like model relabels; more than 12 knobs: the first 12 and a warning", () => {
    const k = new core.KnobState();
    k.onVersion("2");
    k.setKnobs(core.parseKnobsArgs(FOLK).knobs);
    const v = k.view();
    assert.deepEqual(v.map((d) => d.title), ["KEY", "OCTAVE", "MODE", "DENSITY", "COMPLEXITY", "RANGE", "LEAPS",
        "CONTOUR", "", "", "", ""]);
    assert.deepEqual(v.map((d) => d.active), [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    assert.deepEqual(k.turn(2, 1).message, ["/sentgen/attr/set", "octave", 1]);
    const many = [];
    for (let i = 1; i <= 14; i++) {
        many.push("k" + i, "K" + i, "learned", 2, "lo", "hi");
    }
    const warning = k.setKnobs(core.parseKnobsArgs(many).knobs).warning;
    assert.match(warning, /This model has 14 knobs but the device has 12 dials: k13, k14 have no dial/);
    assert.deepEqual(k.view().map((d) => d.title), Array.from({length: 12}, (_, i) => "K" + (i + 1)));
    // rows of every knob are accepted; those without a dial move no dial
    const rows = [];
    for (let i = 1; i <= 14; i++) {
        rows.push("k" + i, 1, "hi", 1);
    }
    const r = k.setAttrs(core.parseAttrsArgs(rows).attrs);
    assert.equal(r.ok, true);
    assert.equal(r.feedback.length, 12);
    assert.equal(k.summary(), Array(14).fill("hi").join(" "), "every knob in the summary, k1..k14 one run");
});

test("parseIncoming reads /sentgen/registered as the keep-alive answer, not as unknown", () => {
    assert.deepEqual(core.parseIncoming("/sentgen/registered", [9001, 0]),
        {kind: "registered", ok: true, replyPort: 9001, registered: false, error: ""});
    assert.deepEqual(core.parseIncoming("/sentgen/registered", [9002, 1]),
        {kind: "registered", ok: true, replyPort: 9002, registered: true, error: ""});
    assert.equal(core.parseIncoming("/sentgen/registered", ["9001", "1"]).registered, true);
    for (const bad of [[], [9001], [9001, 2], ["x", 1], [9001, 1, 1]]) {
        const m = core.parseIncoming("/sentgen/registered", bad);
        assert.deepEqual([m.kind, m.ok], ["registered", false], JSON.stringify(bad));
    }
    assert.deepEqual(core.helloCheckMessage(9003), ["/sentgen/hello/check", 9003]);
});

test("connection keep-alive: registered=0 says hello again, registered=1 does not", () => {
    const sent = [], statuses = [];
    const c = new core.Connection({send: (m) => sent.push(m), recv: () => {},
        status: (s) => statuses.push(s), now: () => 0}, 9005);
    c.onRegistered(core.parseIncoming("/sentgen/registered", [9005, 0]));
    assert.deepEqual(sent, [], "nothing before start");
    c.start();
    c.onPong({version: "1", model: "s2", device: "cpu"});
    sent.length = 0;
    c.tick();
    assert.deepEqual(sent, [["/sentgen/hello/check", 9005], ["/sentgen/ping"]]);
    sent.length = 0;
    // still registered: no hello, the answer counts as one, connected stays
    c.onRegistered(core.parseIncoming("/sentgen/registered", [9005, 1]));
    assert.deepEqual(sent, []);
    assert.deepEqual([c.unanswered, c.connected], [0, true]);
    // an answer about another port, or a malformed one, changes nothing
    c.tick();
    sent.length = 0;
    c.onRegistered(core.parseIncoming("/sentgen/registered", [9001, 0]));
    c.onRegistered(core.parseIncoming("/sentgen/registered", [9005]));
    assert.deepEqual(sent, []);
    assert.equal(c.unanswered, 1);
    // the engine restarted and forgot us: hello on our reply port at once
    c.onRegistered(core.parseIncoming("/sentgen/registered", [9005, 0]));
    assert.deepEqual(sent, [["/sentgen/hello", 9005]]);
    assert.deepEqual([c.unanswered, c.connected], [0, false]);
    assert.match(statuses[statuses.length - 1], /restarted and forgot this device/);
    c.onPong({version: "1", model: "s2", device: "cpu"});
    assert.match(statuses[statuses.length - 1], /^Connected to 127\.0\.0\.1:9000/);
    // after a reply port change the check and the hello use the new port
    assert.equal(c.setReplyPort(9007), true);
    sent.length = 0;
    c.tick();
    c.onRegistered(core.parseIncoming("/sentgen/registered", [9007, 0]));
    assert.deepEqual(sent, [["/sentgen/hello/check", 9007], ["/sentgen/ping"], ["/sentgen/hello", 9007]]);
});

test("parseIncoming dispatches pong, error, models and unknown", () => {
    assert.equal(core.parseIncoming("/sentgen/pong", ["1", "s2", "cpu"]).model, "s2");
    const e = core.parseIncoming("/sentgen/error", ["/sentgen/attr/set", "unknown attribute 'x'"]);
    assert.deepEqual([e.kind, e.address, e.message], ["error", "/sentgen/attr/set", "unknown attribute 'x'"]);
    assert.deepEqual(core.parseIncoming("/sentgen/models", ["s2", "s3"]).models, ["s2", "s3"]);
    assert.equal(core.parseIncoming("/other", []).kind, "unknown");
});

test("echo guard: one answer per load, expires", () => {
    const g = new core.EchoGuard(1000);
    g.expect(0);
    assert.equal(g.consume(10), true);
    assert.equal(g.consume(20), false);
    g.expect(0);
    assert.equal(g.consume(5000), false);
});

test("connection: hello, pings, re-register after silence, host/port checks", () => {
    const sent = [], recv = [], statuses = [];
    let t = 0;
    const c = new core.Connection({send: (m) => sent.push(m), recv: (m) => recv.push(m),
        status: (s) => statuses.push(s), now: () => t}, 9001);
    c.tick();
    assert.equal(sent.length, 0, "nothing before start");
    c.start();
    assert.deepEqual(sent, [["host", "127.0.0.1"], ["port", 9000], ["/sentgen/hello", 9001]]);
    assert.deepEqual(recv, [["port", 9001]]);
    sent.length = 0;
    c.tick();
    c.tick();
    assert.deepEqual(sent, [["/sentgen/hello/check", 9001], ["/sentgen/ping"],
        ["/sentgen/hello/check", 9001], ["/sentgen/ping"]]);
    c.tick();
    assert.deepEqual(sent.slice(4), [["/sentgen/hello", 9001]]);
    assert.match(statuses[statuses.length - 1], /sentgen serve/);
    c.onPong({version: "1", model: "s2", device: "cpu"});
    assert.equal(c.connected, true);
    assert.equal(c.setPort("x"), false);
    assert.equal(c.setPort(70000), false);
    assert.equal(c.setPort(9100), true);
    assert.equal(c.setHost("bad host!"), false);
    assert.equal(c.setHost("localhost"), true);
    assert.equal(c.setReplyPort(9005), true);
    assert.deepEqual(recv[recv.length - 1], ["port", 9005]);
    assert.deepEqual(sent[sent.length - 1], ["/sentgen/hello", 9005]);
});

test("connection: with a token, /sentgen/auth goes before every hello from the same socket", () => {
    const sent = [], statuses = [];
    const c = new core.Connection({send: (m) => sent.push(m), recv: () => {},
        status: (s) => statuses.push(s), now: () => 0}, 9001);
    c.start();
    assert.deepEqual(sent.slice(2), [["/sentgen/hello", 9001]], "no token: protocol v1 unchanged");
    sent.length = 0;
    assert.equal(c.setToken("two words"), false);
    assert.deepEqual([sent, c.token], [[], ""]);
    assert.equal(c.setToken("s3cret"), true);
    assert.deepEqual(sent, [["/sentgen/auth", "s3cret"], ["/sentgen/hello", 9001]]);
    assert.ok(statuses.every((s) => !s.includes("s3cret")), "the token is never shown");
    sent.length = 0;
    c.tick();
    c.tick();
    c.tick();                                   // no answer: registers again, token first
    assert.deepEqual(sent.slice(4), [["/sentgen/auth", "s3cret"], ["/sentgen/hello", 9001]]);
    sent.length = 0;
    c.onRegistered({ok: true, replyPort: 9001, registered: false});     // a restarted engine forgot us
    assert.deepEqual(sent, [["/sentgen/auth", "s3cret"], ["/sentgen/hello", 9001]]);
    sent.length = 0;
    assert.equal(c.setToken(undefined), true);  // "settoken" alone clears it
    assert.deepEqual(sent, [["/sentgen/hello", 9001]]);
    const a = core.maxConnection({outlet: () => {}}, 0, 1, () => {}, () => 0, 9001);
    core.readArguments(a, ["sentgen_device.js", "10.0.0.2", 9100, 9101, "tok"]);
    assert.deepEqual([a.host, a.port, a.replyPort, a.token], ["10.0.0.2", 9100, 9101, "tok"]);
});

test("connection settings: refused ones change nothing, accepted ones are passed on and re-register", () => {
    const sent = [], recv = [], statuses = [];
    const c = new core.Connection({send: (m) => sent.push(m), recv: (m) => recv.push(m),
        status: (s) => statuses.push(s), now: () => 0}, 9001);
    c.start();
    c.connected = true;
    sent.length = 0;
    recv.length = 0;
    assert.equal(c.setHost(""), false);
    assert.equal(c.setPort(9000.5), false);
    assert.equal(c.setReplyPort(0), false);
    assert.deepEqual([sent, recv, c.host, c.port, c.replyPort, c.connected], [[], [], "127.0.0.1", 9000, 9001, true]);
    assert.deepEqual(statuses.slice(-3), ["Engine host must be a host name or an IP address like 127.0.0.1.",
        "Engine port must be a whole number from 1 to 65535.", "Reply port must be a whole number from 1 to 65535."]);
    assert.equal(c.setHost("10.0.0.3"), true);
    assert.equal(c.connected, false);
    assert.deepEqual(sent, [["host", "10.0.0.3"], ["/sentgen/hello", 9001]]);
    assert.equal(statuses[statuses.length - 1], "Engine address set to 10.0.0.3:9000.");
    assert.equal(c.setPort("9100"), true);
    assert.deepEqual(sent.slice(2), [["port", 9100], ["/sentgen/hello", 9001]]);
    assert.equal(statuses[statuses.length - 1], "Engine address set to 10.0.0.3:9100.");
    assert.equal(c.setReplyPort(9003), true);
    assert.deepEqual(recv, [["port", 9003]]);
    assert.deepEqual(sent.slice(4), [["/sentgen/hello", 9003]]);
    assert.equal(statuses[statuses.length - 1], "Listening for the engine on port 9003.");
});

test("Max glue: connection through outlets, object box arguments, textedit, numbox, buttons, not ready", () => {
    const outs = [], statuses = [];
    let t = 5;
    const jsthis = {outlet: (n, m) => outs.push([n, m])};
    const link = core.maxConnection(jsthis, 2, 3, (s) => statuses.push(s), () => t, 9002);
    assert.equal(link.replyPort, 9002);
    const task = {calls: [], cancel() { this.calls.push("cancel"); }, repeat() { this.calls.push("repeat"); }};
    core.startConnection(link, task);
    assert.deepEqual(task.calls, ["cancel", "repeat"]);
    assert.deepEqual(outs, [[2, ["host", "127.0.0.1"]], [2, ["port", 9000]], [3, ["port", 9002]],
        [2, ["/sentgen/hello", 9002]]]);
    assert.match(statuses[0], /Connecting to the engine at 127\.0\.0\.1:9000 \(replies on port 9002\)/);
    t = 10;
    assert.equal(link.helloEcho.consume(10), true);
    assert.equal(core.KEEPALIVE_MS, 4000);

    const args = core.maxConnection(jsthis, 0, 1, () => {}, () => 0, 9001);
    core.readArguments(args, null);
    assert.deepEqual([args.host, args.port, args.replyPort], ["127.0.0.1", 9000, 9001]);
    core.readArguments(args, ["sentgen_device.js"]);
    assert.deepEqual([args.host, args.port, args.replyPort], ["127.0.0.1", 9000, 9001]);
    core.readArguments(args, ["sentgen_device.js", "10.0.0.2", 9100, "9101"]);
    assert.deepEqual([args.host, args.port, args.replyPort], ["10.0.0.2", 9100, 9101]);
    core.readArguments(args, ["sentgen_device.js", "bad host!", 0, 70000]);
    assert.deepEqual([args.host, args.port, args.replyPort], ["10.0.0.2", 9100, 9101]);

    assert.equal(core.lastArg(["text", "192.168.1.20"]), "192.168.1.20");
    assert.equal(core.lastArg(["192.168.1.20", "set", ""]), "192.168.1.20");
    assert.equal(core.lastArg(["text"]), undefined);
    assert.equal(core.numboxValue(9200.6), 9201);
    assert.equal(core.numboxValue("9200.6"), "9200.6");
    assert.equal(core.isRelease([0]), true);
    assert.equal(core.isRelease([1]), false);
    assert.equal(core.isRelease([]), false);
    assert.equal(core.isRelease(["0"]), false);

    const said = [];
    assert.equal(core.refuseIfNotReady(true, "knob", (s) => said.push(s)), false);
    assert.deepEqual(said, []);
    assert.equal(core.refuseIfNotReady(false, "knob", (s) => said.push(s)), true);
    assert.deepEqual(said, ["Not ready yet (knob refused): waiting for the device to finish loading."]);
});

test("MIDI Tool transform: replace inside the selection window, keep the rest", () => {
    const selected = {notes: [
        {note_id: 1, pitch: 60, start_time: 0, duration: 1, velocity: 100.0, mute: 0},
        {note_id: 2, pitch: 62, start_time: 2, duration: 1, velocity: 90.0, mute: 0},
        {note_id: 3, pitch: 64, start_time: 9, duration: 1, velocity: 80.0, mute: 0}
    ]};
    const engine = [
        {pitch: 65, start_time: 0, duration: 0.5, velocity: 70, mute: 1},
        {pitch: 67, start_time: 4, duration: 0.5, velocity: 71, mute: 0}
    ];
    const all = core.transformSelection(selected, null, engine);
    assert.deepEqual(all.window, [0, 8]);
    assert.deepEqual(all.notes, [
        {note_id: 3, pitch: 64, start_time: 9, duration: 1, velocity: 80.0, mute: 0},
        {pitch: 65, start_time: 0, duration: 0.5, velocity: 70, mute: 1},
        {pitch: 67, start_time: 4, duration: 0.5, velocity: 71, mute: 0}
    ]);
    const part = core.transformSelection(selected, {clip: {time_selection_start: 0, time_selection_end: 3}}, engine);
    assert.deepEqual(part.window, [0, 3]);
    assert.deepEqual(part.notes.map((n) => n.pitch), [64, 65]);
    assert.deepEqual([part.replaced, part.added, part.kept], [2, 1, 1]);
    const wide = core.transformSelection(selected, {clip: {time_selection_start: 4, time_selection_end: 32}}, engine);
    assert.deepEqual(wide.window, [4, 8]);
});

test("applyAttrs: one /sentgen/attrs path for the device and the MIDI Tool", () => {
    const k = new core.KnobState();
    k.onVersion("1");
    const said = [], sent = [], shown = [];
    const say = (s) => said.push(s), send = (m) => sent.push(m), show = (f) => shown.push(f);
    const good = core.parseIncoming(core.PROTOCOL.attrs, ["tonic", 2, "D", 2 / 11, "octave", 1, core.OCTAVE_LABELS[1], 0.5]);
    assert.equal(core.applyAttrs(good, k, send, say, show), true);
    assert.deepEqual(shown.map((f) => [f.n, f.index, f.label]), [[1, 2, "D"], [2, 1, core.OCTAVE_LABELS[1]]]);
    assert.deepEqual(said, []);
    assert.deepEqual(sent, []);
    // a bad reply: said, nothing shown or sent
    shown.length = 0;
    assert.equal(core.applyAttrs(core.parseIncoming(core.PROTOCOL.attrs, ["tonic", 0]), k, send, say, show), false);
    assert.equal(said.length, 1);
    assert.match(said[0], /^Engine sent bad attributes: /);
    assert.deepEqual(shown, []);
    // attributes of a knob we do not know: a protocol-2 engine's new model, whose knobs are asked for
    const unknown = core.parseIncoming(core.PROTOCOL.attrs, ["brightness", 0, "dark", 0]);
    const k2 = new core.KnobState();
    k2.onVersion("2", true);
    assert.equal(core.applyAttrs(unknown, k2, send, say, show), true);
    assert.deepEqual(sent, [[core.PROTOCOL.knobsGet]]);
    assert.deepEqual(shown, []);
});
