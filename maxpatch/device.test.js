// Tests of sentgen_device.js (the [js] of the MIDI effect) against a fake
// Max [js] environment and a fake LiveAPI that records calls and checks the
// dictionaries' formats. Run: node --test maxpatch/
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const {loadMaxScript, flatClip} = require("./fake_max.js");

const DEVICE = path.join(__dirname, "sentgen_device.js");
const OUT_UDP = 0, OUT_RECV = 1, OUT_STATUS = 2, OUT_ATTRS = 3, OUT_BANK = 4;

const ATTRS = ["tonic", 2, "D", 2 / 11, "octave", 1, "5", 0.5, "scale", 0, "major", 0,
    "rhythm_bar1", 0, "11111100", 0, "rhythm_bar2", 27, "00111111", 1,
    "arp_chord1", 0, "up", 0, "arp_chord2", 1, "down", 1, "arp_chord3", 0, "up", 0,
    "arp_chord4", -1, "invalid", NaN];

function note(pitch, start, dur, vel = 100, mute = 0) {
    return {pitch, start_time: start, duration: dur, velocity: vel, mute};
}

function setup(clipOpts) {
    const h = loadMaxScript(DEVICE);
    const clip = clipOpts === null ? null : h.live.addClip(clipOpts || {notes: [note(60, 0, 0.5), note(64, 1, 0.5, 90)]});
    h.live.select(clip);
    return {h, clip};
}

function lastStatus(h) {
    const s = h.out(OUT_STATUS);
    return s.length ? String(s[s.length - 1][0]) : "";
}

function noViolations(h) {
    assert.deepEqual(h.live.violations, []);
}

// The engine's answer to /sentgen/hello: pong, then its current state.
function answerHello(h, notes = []) {
    h.send("/sentgen/pong", "1", "s2", "cpu");
    engineState(h, notes);
}

// The bank as the patch shows it, replayed from the js's outlet 4
// ("dial|title|label <n> <message>" -> route -> route 1..12 -> object):
// {n: {active, value, title, label}}, dials 1..12.
function bank(h) {
    const b = {};
    for (let n = 1; n <= 12; n++) b[n] = {active: 1, value: 0, title: undefined, label: undefined};
    for (const [what, n, msg, ...rest] of h.out(OUT_BANK)) {
        assert.ok(n >= 1 && n <= 12, "slot " + n);
        if (what === "dial" && msg === "set") b[n].value = rest[0];
        else if (what === "dial" && msg === "active") b[n].active = rest[0];
        else if ((what === "title" || what === "label") && msg === "set") b[n][what] = rest.join(" ");
        else assert.fail("unexpected bank message " + JSON.stringify([what, n, msg, ...rest]));
    }
    return b;
}

// Send the engine's state as [udpreceive] prints it.
function engineState(h, notes, attrs = ATTRS) {
    h.send("/sentgen/clip", ...flatClip(notes));
    h.send("/sentgen/attrs", ...attrs);
}

test("loading touches nothing in Live; init registers with the engine", () => {
    const {h} = setup();
    assert.equal(h.live.calls.length, 0);
    assert.deepEqual(h.out(OUT_UDP), []);
    h.boot();
    assert.deepEqual(h.out(OUT_UDP), [["host", "127.0.0.1"], ["port", 9000], ["/sentgen/hello", 9001]]);
    assert.deepEqual(h.out(OUT_RECV), [["port", 9001]]);
    assert.match(lastStatus(h), /Connecting to the engine at 127\.0\.0\.1:9000/);
    noViolations(h);
});

test("object box arguments set host, port and reply port", () => {
    const h = loadMaxScript(DEVICE, {args: ["10.0.0.2", 9100, 9101]});
    h.boot();
    assert.deepEqual(h.out(OUT_UDP), [["host", "10.0.0.2"], ["port", 9100], ["/sentgen/hello", 9101]]);
});

test("knob before init is refused with a message, no exception, no LiveAPI", () => {
    const {h} = setup();
    h.send("attr", "tonic", 3);
    assert.match(lastStatus(h), /Not ready/);
    assert.equal(h.live.calls.length, 0);
    assert.deepEqual(h.osc(), []);
    noViolations(h);
});

test("a write before init is refused with a message", () => {
    const {h} = setup();
    engineState(h, [note(60, 0, 1)]);
    assert.equal(h.flushTasks(), 0);
    assert.match(lastStatus(h), /Not ready/);
    assert.equal(h.live.calls.length, 0);
    // the write routine itself refuses too
    assert.equal(h.sandbox.writeClip([note(60, 0, 1)]), false);
    assert.match(lastStatus(h), /write refused/);
    noViolations(h);
});

test("clip read -> OSC: knob loads the clip (get_notes_extended) then sends attr/set", () => {
    const {h, clip} = setup({notes: [note(64, 1, 0.5, 90), note(60, 0, 0.5, 100, 1)]});
    h.boot();
    h.clearOutputs();
    h.send("attr", "tonic", 3);
    assert.deepEqual(h.osc(), [
        ["/sentgen/clip/set", 60, 0, 0.5, 100, 1, 64, 1, 0.5, 90, 0],
        ["/sentgen/attr/set", "tonic", 3 / 11]
    ]);
    const reads = h.live.calls.filter((c) => c.fn === "get_notes_extended");
    assert.equal(reads.length, 1);
    assert.equal(reads[0].id, clip.id);
    assert.deepEqual(reads[0].args, [0, 128, 0, 8]);
    assert.equal(h.live.writeCalls().length, 0);
    // a second knob on the same unchanged clip does not reload it
    h.clearOutputs();
    h.send("attr", "scale", 1);
    assert.deepEqual(h.osc(), [["/sentgen/attr/set", "scale", 0.5]]);
    noViolations(h);
});

test("OSC state -> note dictionaries written with remove_notes_extended + add_new_notes", () => {
    const {h, clip} = setup({notes: [note(60, 0, 0.5), note(64, 1, 0.5, 90)]});
    h.boot();
    answerHello(h, [note(50, 0, 1)]);
    assert.equal(h.flushTasks(), 0, "the hello's answer is not written");
    h.send("attr", "tonic", 2);
    h.advance(10);
    engineState(h, [note(60, 0, 0.5), note(64, 1, 0.5, 90)]);      // answer to the load: not written
    h.advance(10);
    const result = [note(62, 0, 0.5, 100), note(66, 1, 0.5, 90, 1), note(69, 4, 1, 77)];
    engineState(h, result);
    assert.equal(h.live.writeCalls().length, 0, "nothing is written synchronously");
    assert.equal(h.flushTasks(), 1);
    const writes = h.live.writeCalls();
    assert.deepEqual(writes.map((c) => c.fn), ["remove_notes_extended", "add_new_notes"]);
    assert.ok(writes.every((c) => c.inTask), "writes run from the Task (low-priority queue)");
    assert.deepEqual(writes[0].args, [0, 128, 0, 8]);
    assert.deepEqual(writes[1].args[0], {notes: [
        {pitch: 62, start_time: 0, duration: 0.5, velocity: 100, mute: 0},
        {pitch: 66, start_time: 1, duration: 0.5, velocity: 90, mute: 1},
        {pitch: 69, start_time: 4, duration: 1, velocity: 77, mute: 0}
    ]});
    assert.deepEqual(clip.notes.map((n) => [n.pitch, n.start_time, n.velocity, n.mute]),
        [[62, 0, 100, 0], [66, 1, 90, 1], [69, 4, 77, 0]]);
    assert.match(lastStatus(h), /3 notes written/);
    // dials follow the engine ("set" feedback, no output), invalid ones are left alone
    const sets = h.out(OUT_BANK).filter((o) => o[0] === "dial" && o[2] === "set");
    assert.equal(sets.length, 9 + 3 * 8, "init draws the 9 dials in use, each state sets the 8 valid ones");
    assert.deepEqual(sets.slice(-8)[0], ["dial", 1, "set", 2 / 11]);
    assert.ok(!sets.slice(9).some((k) => k[1] === 9), "arp_chord4 (dial 9) is invalid: left alone");
    assert.deepEqual(bank(h)[5], {active: 1, value: 1, title: "Rhythm 2", label: "00111111"});
    const attrs = h.out(OUT_ATTRS);
    assert.equal(attrs[attrs.length - 1][0], "D 5 major | 11111100 00111111 | up down up invalid  (no valid arp_chord4)");
    noViolations(h);
});

test("a burst of states ends in one write of the newest", () => {
    const {h, clip} = setup();
    h.boot();
    h.send("getclip");
    h.advance(5000);     // the load's answer never came
    engineState(h, [note(70, 0, 1)]);
    engineState(h, [note(71, 0, 1)]);
    engineState(h, [note(72, 0, 1)]);
    assert.equal(h.flushTasks(), 1);
    assert.equal(h.live.writeCalls().filter((c) => c.fn === "add_new_notes").length, 1);
    assert.deepEqual(clip.notes.map((n) => n.pitch), [72]);
    noViolations(h);
});

test("the clip is never deleted, recreated, or touched with deprecated calls", () => {
    const {h} = setup();
    h.boot();
    h.send("random");
    engineState(h, [note(60, 0, 1)]);
    h.flushTasks();
    const fns = new Set(h.live.calls.map((c) => c.fn));
    for (const fn of fns) {
        assert.ok(["get_notes_extended", "remove_notes_extended", "add_new_notes"].includes(fn), fn);
    }
    noViolations(h);
});

test("empty clip: knob shows a message, sends nothing, no exception", () => {
    const {h} = setup({notes: []});
    h.boot();
    h.clearOutputs();
    h.send("attr", "scale", 1);
    assert.deepEqual(h.osc(), []);
    assert.match(lastStatus(h), /empty/);
    assert.match(lastStatus(h), /Random/);
    // Random fills the empty clip
    h.send("random");
    assert.deepEqual(h.osc(), [["/sentgen/random"]]);
    noViolations(h);
});

test("random into an empty clip writes the model's notes", () => {
    const {h, clip} = setup({notes: []});
    h.boot();
    h.send("random");
    h.advance(3000);   // past the hello's answer window
    engineState(h, [note(60, 0, 0.5), note(62, 0.5, 0.5)]);
    h.flushTasks();
    assert.deepEqual(clip.notes.map((n) => n.pitch), [60, 62]);
    noViolations(h);
});

test("clip longer than 2 bars: only bars 1-2 are sent and rewritten, later notes kept", () => {
    const {h, clip} = setup({length: 16, notes: [note(60, 0, 1), note(62, 7.5, 1), note(64, 8, 1, 55), note(65, 12, 2, 66, 1)]});
    h.boot();
    answerHello(h, [note(50, 0, 1)]);
    assert.equal(h.flushTasks(), 0, "the hello's answer is not written");
    h.clearOutputs();
    h.send("attr", "octave", 2);
    const [load] = h.osc();
    assert.deepEqual(load, ["/sentgen/clip/set", 60, 0, 1, 100, 0, 62, 7.5, 0.5, 100, 0]);
    assert.match(lastStatus(h), /longer than 2 bars/);
    assert.match(lastStatus(h), /only the first 2 bars/);
    h.advance(10);
    engineState(h, [note(60, 0, 1), note(62, 7.5, 0.5)]);   // load echo
    h.advance(10);
    engineState(h, [note(72, 0, 1), note(74, 7.5, 0.5)]);
    h.flushTasks();
    const remove = h.live.writeCalls()[0];
    assert.deepEqual(remove.args, [0, 128, 0, 8]);
    assert.deepEqual(clip.notes.map((n) => [n.pitch, n.start_time, n.velocity, n.mute]),
        [[64, 8, 55, 0], [65, 12, 66, 1], [72, 0, 100, 0], [74, 7.5, 100, 0]]);
    assert.match(lastStatus(h), /2 notes after bar 2 were kept/);
    noViolations(h);
});

test("muted notes: sent with mute 1, written back muted, velocity kept", () => {
    const {h, clip} = setup({notes: [note(60, 0, 1, 33, 1), note(62, 1, 1, 120, 0)]});
    h.boot();
    answerHello(h, [note(50, 0, 1)]);
    assert.equal(h.flushTasks(), 0, "the hello's answer is not written");
    h.clearOutputs();
    h.send("attr", "arp_chord1", 1);
    assert.deepEqual(h.osc()[0], ["/sentgen/clip/set", 60, 0, 1, 33, 1, 62, 1, 1, 120, 0]);
    assert.match(lastStatus(h), /muted/);
    h.advance(10);
    engineState(h, [note(60, 0, 1, 33, 1), note(62, 1, 1, 120, 0)]);
    h.advance(10);
    engineState(h, [note(61, 0, 1, 33, 1), note(63, 1, 1, 120, 0)]);
    h.flushTasks();
    assert.deepEqual(clip.notes.map((n) => [n.pitch, n.velocity, n.mute]), [[61, 33, 1], [63, 120, 0]]);
    noViolations(h);
});

test("no clip selected: knob, read, random, undo show a message; nothing sent", () => {
    const {h} = setup(null);
    h.boot();
    h.clearOutputs();
    for (const msg of ["getclip", "random", "undo", "redo"]) {
        h.send(msg);
        assert.match(lastStatus(h), /No clip selected/, msg);
    }
    h.send("attr", "tonic", 1);
    assert.match(lastStatus(h), /No clip selected/);
    assert.deepEqual(h.osc(), []);
    // a state from another client (panel) with no linked clip: message, no write
    engineState(h, [note(60, 0, 1)]);
    h.advance(5000);
    engineState(h, [note(60, 0, 1)]);
    assert.equal(h.flushTasks(), 0);
    assert.match(lastStatus(h), /Select a MIDI clip/);
    noViolations(h);
});

test("audio clip selected: message, nothing sent", () => {
    const {h} = setup({audio: true});
    h.boot();
    h.clearOutputs();
    h.send("attr", "tonic", 1);
    assert.match(lastStatus(h), /audio clip/);
    assert.deepEqual(h.osc(), []);
    noViolations(h);
});

test("the linked clip was deleted: the write is skipped with a message", () => {
    const {h, clip} = setup();
    h.boot();
    h.send("getclip");
    h.live.objects.delete(clip.id);
    h.advance(5000);
    engineState(h, [note(60, 0, 1)]);
    h.flushTasks();
    assert.match(lastStatus(h), /is gone/);
    assert.equal(h.live.writeCalls().length, 0);
    noViolations(h);
});

test("the answer to a load is not written over the user's notes", () => {
    const {h, clip} = setup({notes: [note(60, 0.02, 0.5)]});
    h.boot();
    h.send("getclip");
    h.advance(10);
    engineState(h, [note(60, 0, 0.5)]);   // quantised by the engine
    h.flushTasks();
    assert.equal(h.live.writeCalls().length, 0);
    assert.equal(clip.notes[0].start_time, 0.02);
    noViolations(h);
});

test("selecting another clip reloads before the edit", () => {
    const {h} = setup();
    h.boot();
    h.send("attr", "tonic", 1);
    const other = h.live.addClip({notes: [note(70, 0, 2)]});
    h.live.select(other);
    h.clearOutputs();
    h.send("attr", "tonic", 2);
    assert.deepEqual(h.osc(), [["/sentgen/clip/set", 70, 0, 2, 100, 0], ["/sentgen/attr/set", "tonic", 2 / 11]]);
    noViolations(h);
});

test("undo and redo go to the linked clip even after selecting elsewhere", () => {
    const {h, clip} = setup();
    h.boot();
    h.send("attr", "tonic", 1);
    h.live.select(null);
    h.clearOutputs();
    h.send("undo");
    h.send("redo");
    assert.deepEqual(h.osc(), [["/sentgen/undo"], ["/sentgen/redo"]]);
    h.advance(5000);
    engineState(h, [note(48, 0, 1)]);
    h.flushTasks();
    assert.deepEqual(clip.notes.map((n) => n.pitch), [48]);
    noViolations(h);
});

test("engine errors, bad messages and pongs show in the status", () => {
    const {h} = setup();
    h.boot();
    h.send("/sentgen/error", "/sentgen/attr/set", "value must lie in [0, 1]");
    assert.equal(lastStatus(h), "Engine error (/sentgen/attr/set): value must lie in [0, 1]");
    h.send("/sentgen/clip", 60, 0, 1);
    assert.match(lastStatus(h), /bad clip/);
    h.send("/sentgen/attrs", "tonic", 99, "x", 0);
    assert.match(lastStatus(h), /bad attributes/);
    h.send("/sentgen/pong", "1", "s2", "cpu");
    assert.match(lastStatus(h), /Connected to 127\.0\.0\.1:9000: protocol 1, model s2 on cpu/);
    h.send("/sentgen/unknown", 1);
    h.send("bogus");
    assert.match(lastStatus(h), /Unknown message: bogus/);
    h.send("attr", "nope", 0);
    assert.match(lastStatus(h), /Unknown knob/);
    assert.equal(h.flushTasks(), 0);
    noViolations(h);
});

test("keep-alive checks and pings, and re-registers when the engine stops answering", () => {
    const {h} = setup();
    h.boot();
    h.clearOutputs();
    h.tickRepeating();
    h.tickRepeating();
    h.tickRepeating();
    assert.deepEqual(h.osc(), [["/sentgen/hello/check", 9001], ["/sentgen/ping"],
        ["/sentgen/hello/check", 9001], ["/sentgen/ping"], ["/sentgen/hello", 9001]]);
    assert.match(lastStatus(h), /sentgen serve/);
});

test("keep-alive: /sentgen/registered 0 re-registers on the reply port, 1 does not", () => {
    const {h, clip} = setup();
    h.boot();
    answerHello(h, [note(50, 0, 1)]);
    h.flushTasks();
    h.clearOutputs();
    h.tickRepeating();
    assert.deepEqual(h.osc(), [["/sentgen/hello/check", 9001], ["/sentgen/ping"]], "a check on every tick");
    h.send("/sentgen/registered", 9001, 1);
    assert.deepEqual(h.osc(), [["/sentgen/hello/check", 9001], ["/sentgen/ping"]], "registered: no hello");
    assert.deepEqual(h.out(OUT_STATUS), [], "registered: the status stays");
    assert.equal(h.max.posts.filter((p) => /ignored/.test(p)).length, 0, "not an unknown message");
    // the engine restarted quickly and forgot the device: hello at once
    h.clearOutputs();
    h.send("/sentgen/registered", 9001, 0);
    assert.deepEqual(h.osc(), [["/sentgen/hello", 9001]]);
    assert.match(lastStatus(h), /restarted and forgot this device/);
    assert.doesNotMatch(lastStatus(h), /error|Unknown|Could not/i);
    // its answer is a hello echo: the user's notes stay, the status says connected
    answerHello(h, [note(72, 0, 1)]);
    assert.equal(h.flushTasks(), 0);
    assert.deepEqual(clip.notes.map((n) => n.pitch), [60, 64]);
    assert.match(lastStatus(h), /^Connected to 127\.0\.0\.1:9000/);
    // on a changed reply port the hello uses that port
    h.send("setreplyport", 9200);
    h.clearOutputs();
    h.tickRepeating();
    h.send("/sentgen/registered", 9200, 0);
    assert.deepEqual(h.osc(), [["/sentgen/hello/check", 9200], ["/sentgen/ping"], ["/sentgen/hello", 9200]]);
    noViolations(h);
});

test("host and ports from the device's fields", () => {
    const {h} = setup();
    h.boot();
    h.clearOutputs();
    h.send("sethost", "text", "192.168.1.20");
    h.send("setport", 9100.0);
    h.send("setreplyport", 9200.6);   // Float parameter shown as Int
    assert.deepEqual(h.out(OUT_UDP).filter((o) => o[0] === "host" || o[0] === "port"),
        [["host", "192.168.1.20"], ["port", 9100]]);
    assert.deepEqual(h.out(OUT_RECV), [["port", 9201]]);
    assert.deepEqual(h.osc().pop(), ["/sentgen/hello", 9201]);
    h.send("setport", 0);
    assert.match(lastStatus(h), /1 to 65535/);
    h.send("sethost", "not a host");
    assert.match(lastStatus(h), /host name/);
});

test("Live refusing the notes shows a message instead of throwing", () => {
    const {h, clip} = setup();
    h.boot();
    h.send("getclip");
    h.advance(5000);
    // the fake Live rejects anything off-format; make it reject this write
    const realCall = h.live.call.bind(h.live);
    h.live.call = (id, fn, args) => {
        if (fn === "add_new_notes") throw new Error("invalid note");
        return realCall(id, fn, args);
    };
    engineState(h, [note(60, 0, 1)]);
    assert.doesNotThrow(() => h.flushTasks());
    assert.match(lastStatus(h), /Live refused the notes: invalid note/);
    assert.ok(clip);
});

test("undo after the linked clip was deleted uses the selected clip", () => {
    const {h, clip} = setup();
    h.boot();
    h.send("getclip");
    h.live.objects.delete(clip.id);
    const other = h.live.addClip({notes: [note(70, 0, 1)]});
    h.live.select(other);
    h.clearOutputs();
    h.send("undo");
    assert.deepEqual(h.osc(), [["/sentgen/undo"]]);
    h.advance(5000);
    engineState(h, [note(55, 0, 1)]);
    h.flushTasks();
    assert.deepEqual(other.notes.map((n) => n.pitch), [55]);
    noViolations(h);
});

// ------------------------------------------------- knobs from the model

const DMELODIES_TITLES = ["Tonic", "Octave", "Scale", "Rhythm 1", "Rhythm 2", "Arp 1", "Arp 2", "Arp 3", "Arp 4"];
// A toy model with 2 knobs; the shipped folk model's 8 (its /sentgen/knobs
// as the engine sends it: testdata/folk_knobs.json, which
// tests/bridge/test_folk_product.py checks against the engine serving
// models/folk.*); one with 14.
const TOY_KNOBS = ["a", "Alpha", "learned", 3, "x", "y", "z", "b", "Beta", "rule", 2, "p", "q"];
const FOLK_KNOBS = JSON.parse(require("node:fs").readFileSync(path.join(__dirname, "testdata", "folk_knobs.json"), "utf8"));

// The OSC messages the device sends while fn runs (outputs are kept, so
// bank() still sees everything drawn).
function oscDuring(h, fn) {
    const n = h.osc().length;
    fn();
    return h.osc().slice(n);
}

function titles(h) {
    const b = bank(h);
    return Array.from({length: 12}, (_, i) => b[i + 1].title);
}

function actives(h) {
    const b = bank(h);
    return Array.from({length: 12}, (_, i) => b[i + 1].active);
}

test("a protocol-1 engine (no /sentgen/knobs): the nine dMelodies dials as before, 10-12 inactive", () => {
    const {h} = setup();
    h.boot();
    answerHello(h, [note(50, 0, 1)]);
    h.tickRepeating();
    h.send("/sentgen/pong", "1", "s2", "cpu");
    assert.ok(!h.osc().some((m) => m[0] === "/sentgen/knobs/get"), "a v1 engine is never asked for knobs");
    assert.deepEqual(titles(h), DMELODIES_TITLES.concat(["", "", ""]));
    assert.deepEqual(actives(h), [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    assert.equal(bank(h)[1].label, "D", "dial 1 shows the engine's tonic");
    assert.equal(h.out(OUT_ATTRS).pop()[0], "D 5 major | 11111100 00111111 | up down up invalid  (no valid arp_chord4)");
    // dial 1 at 3/11 is tonic D#: the same /sentgen/attr/set as the old enum dial
    assert.deepEqual(oscDuring(h, () => h.send("dial", 1, 3 / 11)), [
        ["/sentgen/clip/set", 60, 0, 0.5, 100, 0, 64, 1, 0.5, 90, 0], ["/sentgen/attr/set", "tonic", 3 / 11]]);
    assert.equal(bank(h)[1].label, "D#");
    // a sweep inside the same step sends nothing more; the next step does
    assert.deepEqual(oscDuring(h, () => { h.send("dial", 1, 0.28); h.send("dial", 1, 0.3); }), []);
    assert.deepEqual(oscDuring(h, () => h.send("dial", 1, 0.37)), [["/sentgen/attr/set", "tonic", 4 / 11]]);
    assert.equal(bank(h)[1].label, "E");
    // attr by name still works; an unused dial sends nothing
    assert.deepEqual(oscDuring(h, () => { h.send("attr", "scale", 1); h.send("dial", 11, 0.9); }),
        [["/sentgen/attr/set", "scale", 0.5]]);
    assert.match(lastStatus(h), /Dial 11 is not used by this model \(it has 9 knobs\)/);
    noViolations(h);
});

test("a protocol-2 engine: knobs asked for; a 2-knob model gives dials 1-2, 3-12 inactive; rows by name", () => {
    const {h} = setup();
    h.boot();
    assert.deepEqual(oscDuring(h, () => h.send("/sentgen/pong", "2", "toy", "cpu")), [["/sentgen/knobs/get"]]);
    assert.deepEqual(oscDuring(h, () => h.send("/sentgen/pong", "2", "toy", "cpu")), [], "once per connection");
    // the hello's state comes before the knobs: attributes of unknown knobs
    // move nothing (and ask for the knobs again), no error
    h.send("/sentgen/clip", ...flatClip([note(50, 0, 1)]));
    assert.deepEqual(oscDuring(h, () => h.send("/sentgen/attrs", "b", 1, "q", 1, "a", 2, "z", 1)),
        [["/sentgen/knobs/get"]]);
    assert.doesNotMatch(lastStatus(h), /bad/);
    assert.deepEqual(titles(h).slice(0, 2), ["Tonic", "Octave"]);
    h.send("/sentgen/knobs", ...TOY_KNOBS);
    assert.deepEqual(titles(h), ["Alpha", "Beta", "", "", "", "", "", "", "", "", "", ""]);
    assert.deepEqual(actives(h), [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const b = bank(h);
    assert.deepEqual(b[1], {active: 1, value: 1, title: "Alpha", label: "z"}, "a (sent second) is dial 1");
    assert.deepEqual(b[2], {active: 1, value: 1, title: "Beta", label: "q"});
    assert.equal(b[3].label, "");
    assert.equal(h.out(OUT_ATTRS).pop()[0], "z q");
    assert.match(lastStatus(h), /Knobs of the model: Alpha, Beta\./);
    // the same table again (the engine sends it after every hello): the status stays
    h.send("/sentgen/error", "/sentgen/random", "no model");
    h.send("/sentgen/knobs", ...TOY_KNOBS);
    assert.equal(lastStatus(h), "Engine error (/sentgen/random): no model");
    // rows in any order map by name
    h.send("/sentgen/attrs", "b", 0, "p", 0, "a", 1, "y", 0.5);
    assert.deepEqual([bank(h)[1].value, bank(h)[1].label, bank(h)[2].value, bank(h)[2].label], [0.5, "y", 0, "p"]);
    // a turn of dial 2 sends b's value
    assert.deepEqual(oscDuring(h, () => h.send("dial", 2, 1)), [
        ["/sentgen/clip/set", 60, 0, 0.5, 100, 0, 64, 1, 0.5, 90, 0], ["/sentgen/attr/set", "b", 1]]);
    assert.equal(bank(h)[2].label, "q");
    // inactive dials send nothing, whatever moves them (automation)
    assert.deepEqual(oscDuring(h, () => { for (let n = 3; n <= 12; n++) h.send("dial", n, 1); }), []);
    assert.match(lastStatus(h), /Dial 12 is not used by this model \(it has 2 knobs\)/);
    assert.deepEqual(actives(h).slice(2), Array(10).fill(0));
    // no second request once the engine's knobs are here
    assert.deepEqual(oscDuring(h, () => h.send("/sentgen/pong", "2", "toy", "cpu")), []);
    noViolations(h);
});

test("a model switch to the folk model relabels the dials (8 of 12); bad knobs keep the old ones", () => {
    const {h} = setup();
    h.boot();
    h.send("/sentgen/pong", "2", "toy", "cpu");
    h.send("/sentgen/knobs", ...TOY_KNOBS);
    h.send("/sentgen/knobs", ...FOLK_KNOBS);   // unsolicited, after the switch
    assert.deepEqual(titles(h), ["density", "complexity", "range", "leaps", "contour", "mode", "key", "octave",
        "", "", "", ""]);
    assert.deepEqual(actives(h), [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    assert.match(lastStatus(h), /Knobs of the model: density, complexity, range, leaps, contour, mode, key, octave\./);
    h.send("/sentgen/attrs", "density", 3, "10-11 notes", 3 / 7, "complexity", -1, "invalid", NaN,
        "range", 0, "<4 semitones", 0, "leaps", 6, "leaps >=4.5", 1, "contour", 3, "level", 0.5,
        "mode", 1, "minor", 1, "key", 2, "D", 2 / 11, "octave", 2, 4, 0.4);   // Max makes "4" a number
    assert.deepEqual(bank(h)[8], {active: 1, value: 0.4, title: "octave", label: "4"});
    assert.deepEqual(bank(h)[1], {active: 1, value: 3 / 7, title: "density", label: "10-11 notes"});
    assert.equal(h.out(OUT_ATTRS).pop()[0],
        "10-11 notes invalid <4 semitones leaps >=4.5 level minor D 4  (no valid complexity)");
    assert.deepEqual(oscDuring(h, () => h.send("dial", 8, 0)).pop(), ["/sentgen/attr/set", "octave", 0]);
    assert.equal(bank(h)[8].label, "2");
    // dial 7 at 3/11 is key D#; dial 1 at 1 is the top density bin
    assert.deepEqual(oscDuring(h, () => h.send("dial", 7, 3 / 11)).pop(), ["/sentgen/attr/set", "key", 3 / 11]);
    assert.equal(bank(h)[7].label, "D#");
    assert.deepEqual(oscDuring(h, () => h.send("dial", 1, 1)).pop(), ["/sentgen/attr/set", "density", 1]);
    assert.equal(bank(h)[1].label, ">=18 notes");
    assert.deepEqual(oscDuring(h, () => h.send("dial", 9, 1)), []);
    assert.match(lastStatus(h), /Dial 9 is not used by this model \(it has 8 knobs\)/);
    // a malformed table: an error in the status, the dials stay
    h.send("/sentgen/knobs", "a", "A", "learned", 3, "x");
    assert.match(lastStatus(h), /Engine sent bad knobs, the dials stay as they were: .*3 values but only 1 labels/);
    assert.equal(titles(h)[0], "density");
    // back to dMelodies
    h.send("/sentgen/knobs", ...h.core.fallbackKnobs().reduce((o, k) => o.concat([k.name, k.title, k.kind, k.count],
        k.labels), []));
    assert.deepEqual(titles(h), DMELODIES_TITLES.concat(["", "", ""]));
    noViolations(h);
});

test("more than 12 knobs: the first 12 on the dials and a clear warning", () => {
    const {h} = setup();
    h.boot();
    h.send("/sentgen/pong", "2", "big", "cpu");
    const many = [];
    for (let i = 1; i <= 14; i++) many.push("k" + i, "K" + i, "learned", 2, "lo", "hi");
    h.send("/sentgen/knobs", ...many);
    assert.deepEqual(titles(h), Array.from({length: 12}, (_, i) => "K" + (i + 1)));
    assert.deepEqual(actives(h), Array(12).fill(1));
    assert.match(lastStatus(h), /This model has 14 knobs but the device has 12 dials: k13, k14 have no dial/);
    assert.deepEqual(oscDuring(h, () => h.send("dial", 12, 1)).pop(), ["/sentgen/attr/set", "k12", 1]);
    noViolations(h);
});
