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
    assert.equal(core.knobValue("tonic", 0), 0);
    assert.equal(core.knobValue("tonic", 11), 1);
    assert.equal(core.knobValue("octave", 1), 0.5);
    assert.equal(core.knobValue("rhythm_bar1", 27), 1);
    assert.equal(core.knobValue("arp_chord3", 1), 1);
    assert.equal(core.knobValue("tonic", 12), null);
    assert.equal(core.knobValue("tonic", -1), null);
    assert.equal(core.knobValue("nope", 0), null);
    for (const name of core.ATTR_NAMES) {
        const n = core.labelsOf(name).length;
        for (let i = 0; i < n; i++) {
            assert.equal(core.indexOfValue(name, core.knobValue(name, i)), i);
        }
    }
    assert.deepEqual(core.attrSetMessage("scale", 2), ["/sentgen/attr/set", "scale", 1]);
    assert.equal(core.attrSetMessage("scale", 3), null);
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
    assert.equal(r.attrs[3].label, "00111111");
    assert.equal(r.attrs[1].label, "4");
    assert.equal(core.formatAttrs(r.attrs), "D 4 invalid | 00111111 11111100 | up down invalid up");
    assert.deepEqual(core.invalidAttrs(r.attrs), ["scale", "arp_chord3"]);
    assert.equal(core.parseAttrsArgs(["tonic", 12, "x", 0]).ok, false);
    assert.equal(core.parseAttrsArgs(["bogus", 0, "x", 0]).ok, false);
    assert.equal(core.parseAttrsArgs(["tonic", 0, "C"]).ok, false);
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
