// Tests of sentgen_miditool.js (the Live 12 MIDI Tool) against a fake Max
// [js] with fake dictionaries. Run: node --test maxpatch/
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const {loadMaxScript, flatClip} = require("./fake_max.js");

const TOOL = path.join(__dirname, "sentgen_miditool.js");
const OUT_TOOL = 0, OUT_TRIGGER = 1, OUT_UDP = 2, OUT_RECV = 3, OUT_STATUS = 4, OUT_MENU = 5;

const ATTRS = ["tonic", 0, "C", 0, "octave", 1, "5", 0.5, "scale", 1, "minor", 0.5,
    "rhythm_bar1", 0, "11111100", 0, "rhythm_bar2", 0, "11111100", 0,
    "arp_chord1", 0, "up", 0, "arp_chord2", 0, "up", 0, "arp_chord3", 0, "up", 0,
    "arp_chord4", 0, "up", 0];

function note(pitch, start, dur, vel = 100, mute = 0, id) {
    const n = {pitch, start_time: start, duration: dur, velocity: vel, mute};
    if (id !== undefined) n.note_id = id;
    return n;
}

function lastStatus(h) {
    const s = h.out(OUT_STATUS);
    return s.length ? String(s[s.length - 1][0]) : "";
}

// live.miditool.in: context out of the middle outlet, then notes out of the left.
function apply(h, notes, context = {clip: {time_selection_start: 0, time_selection_end: 8}}) {
    h.sendTo(1, "dictionary", h.putDict(context));
    h.sendTo(0, "dictionary", h.putDict({notes}));
    const out = h.out(OUT_TOOL);
    const last = out[out.length - 1];
    assert.equal(last[0], "dictionary");
    return h.dict(last[1]).notes;
}

// The 12 [umenu]s as the patch shows them, replayed from the js's outlet 5
// ("<n> <message>" -> route 1..12 -> umenu n).
function menus(h) {
    const m = {};
    for (let n = 1; n <= 12; n++) m[n] = {items: [], index: 0, ignoreclick: 0, hint: ""};
    for (const [n, msg, ...rest] of h.out(OUT_MENU)) {
        assert.ok(n >= 1 && n <= 12, "menu " + n);
        if (msg === "clear") m[n].items = [];
        else if (msg === "append") m[n].items.push(rest.join(" "));
        else if (msg === "set") m[n].index = rest[0];
        else if (msg === "ignoreclick") m[n].ignoreclick = rest[0];
        else if (msg === "hint") m[n].hint = rest.join(" ");
        else assert.fail("unexpected menu message " + JSON.stringify([n, msg, ...rest]));
    }
    return m;
}

function boot(h) {
    h.boot();
    h.send("/sentgen/pong", "1", "s2", "cpu");
}

const SELECTION = [note(60, 0, 1, 100.0, 0, 11), note(62, 1, 1, 96.0, 0, 12), note(64, 9, 1, 80.0, 0, 13)];

test("init registers on the tool's own reply port (9002)", () => {
    const h = loadMaxScript(TOOL);
    assert.deepEqual(h.out(OUT_UDP), []);
    h.boot();
    assert.deepEqual(h.out(OUT_UDP), [["host", "127.0.0.1"], ["port", 9000], ["/sentgen/hello", 9002]]);
    assert.deepEqual(h.out(OUT_RECV), [["port", 9002]]);
});

test("keep-alive: a check on the tool's port each tick; registered 0 says hello again, 1 does not", () => {
    const h = loadMaxScript(TOOL);
    boot(h);
    h.clearOutputs();
    h.tickRepeating();
    h.send("/sentgen/registered", 9002, 1);
    assert.deepEqual(h.out(OUT_UDP), [["/sentgen/hello/check", 9002], ["/sentgen/ping"]]);
    assert.deepEqual(h.out(OUT_STATUS), []);
    h.send("/sentgen/registered", 9002, 0);
    assert.deepEqual(h.out(OUT_UDP).slice(2), [["/sentgen/hello", 9002]]);
    assert.match(lastStatus(h), /restarted and forgot/);
});

test("no state yet: notes pass through unchanged, and the status says so", () => {
    const h = loadMaxScript(TOOL);
    boot(h);
    const out = apply(h, SELECTION);
    assert.deepEqual(out, SELECTION);
    assert.match(lastStatus(h), /No engine state yet/);
    assert.match(lastStatus(h), /unchanged/);
});

test("with state: answers synchronously, replacing notes in bars 1-2 and keeping later ones", () => {
    const h = loadMaxScript(TOOL);
    boot(h);
    h.advance(3000);
    h.send("/sentgen/clip", ...flatClip([note(67, 0, 0.5, 70, 1), note(69, 0.5, 0.5, 71)]));
    h.send("/sentgen/attrs", ...ATTRS);
    // a new state asks Live to run the transformation again
    assert.deepEqual(h.out(OUT_TRIGGER), [["bang"]]);
    const out = apply(h, SELECTION);
    assert.deepEqual(out, [
        note(64, 9, 1, 80.0, 0, 13),
        {pitch: 67, start_time: 0, duration: 0.5, velocity: 70, mute: 1},
        {pitch: 69, start_time: 0.5, duration: 0.5, velocity: 71, mute: 0}
    ]);
    assert.match(lastStatus(h), /Replaced 2 notes/);
    // menus follow the engine
    assert.deepEqual(menus(h)[3], {items: ["major", "minor", "blues"], index: 1, ignoreclick: 0, hint: "Scale"});
});

test("a time selection limits what is replaced", () => {
    const h = loadMaxScript(TOOL);
    boot(h);
    h.advance(3000);
    h.send("/sentgen/clip", ...flatClip([note(67, 0, 0.5), note(69, 1.5, 0.5)]));
    const out = apply(h, SELECTION, {clip: {time_selection_start: 1, time_selection_end: 2}});
    assert.deepEqual(out.map((n) => n.pitch), [60, 64, 69]);
});

test("a one-note selection (Max dict collapses the array) is handled", () => {
    const h = loadMaxScript(TOOL);
    boot(h);
    h.sendTo(0, "dictionary", h.putDict({notes: note(60, 0, 1, 100, 0, 1)}));
    const out = h.out(OUT_TOOL);
    assert.deepEqual(h.dict(out[out.length - 1][1]).notes, [note(60, 0, 1, 100, 0, 1)]);
});

test("Use selection loads the selected notes; their echo passes notes through", () => {
    const h = loadMaxScript(TOOL);
    boot(h);
    h.advance(3000);
    h.clearOutputs();
    h.send("usesel");
    assert.deepEqual(h.out(OUT_TRIGGER), [["bang"]]);
    const out = apply(h, SELECTION);
    assert.deepEqual(out, SELECTION, "loading does not change the notes");
    assert.deepEqual(h.osc(OUT_UDP), [["/sentgen/clip/set", 60, 0, 1, 100, 0, 62, 1, 1, 96, 0]]);
    assert.match(lastStatus(h), /first 2 bars|Sent 2 notes/);
    // the engine's answer to the load: no re-run, and the next apply passes through
    h.send("/sentgen/clip", ...flatClip([note(60, 0, 1), note(62, 1, 1, 96)]));
    assert.equal(h.out(OUT_TRIGGER).length, 1);
    assert.deepEqual(apply(h, SELECTION), SELECTION);
    // then a menu edit: attr/set, the new state re-runs the transformation
    h.send("attr", "tonic", 2);
    assert.deepEqual(h.osc(OUT_UDP).pop(), ["/sentgen/attr/set", "tonic", 2 / 11]);
    h.send("/sentgen/clip", ...flatClip([note(62, 0, 1), note(64, 1, 1, 96)]));
    assert.equal(h.out(OUT_TRIGGER).length, 2);
    assert.deepEqual(apply(h, SELECTION).map((n) => [n.pitch, n.velocity]), [[64, 80], [62, 100], [64, 96]]);
});

test("Use selection on an empty selection: message, nothing sent, notes unchanged", () => {
    const h = loadMaxScript(TOOL);
    boot(h);
    h.clearOutputs();
    h.send("usesel");
    assert.deepEqual(apply(h, []), []);
    assert.deepEqual(h.osc(OUT_UDP), []);
    assert.match(lastStatus(h), /empty/);
});

test("controls before init are refused with a message", () => {
    const h = loadMaxScript(TOOL);
    for (const m of ["random", "undo", "redo", "usesel"]) {
        h.send(m);
        assert.match(lastStatus(h), /Not ready/);
    }
    h.send("attr", "tonic", 1);
    assert.match(lastStatus(h), /Not ready/);
    assert.deepEqual(h.osc(OUT_UDP), []);
});

test("random, undo, redo, errors", () => {
    const h = loadMaxScript(TOOL);
    boot(h);
    h.clearOutputs();
    h.send("random");
    h.send("undo");
    h.send("redo");
    assert.deepEqual(h.osc(OUT_UDP), [["/sentgen/random"], ["/sentgen/undo"], ["/sentgen/redo"]]);
    h.send("/sentgen/error", "/sentgen/random", "no model loaded");
    assert.equal(lastStatus(h), "Engine error (/sentgen/random): no model loaded");
    h.send("/sentgen/clip", 1, 2);
    assert.match(lastStatus(h), /bad clip/);
});

test("menus follow the model: a 2-knob model fills menus 1-2, empties 3-12; menu 2 sends b", () => {
    const h = loadMaxScript(TOOL);
    boot(h);
    // a protocol-1 engine: the nine dMelodies menus, 10-12 empty; no knobs asked for
    assert.deepEqual(menus(h)[1].items.length, 12);
    assert.deepEqual(menus(h)[10], {items: [], index: 0, ignoreclick: 1, hint: ""});
    assert.ok(!h.osc(OUT_UDP).some((m) => m[0] === "/sentgen/knobs/get"));
    // the engine goes away, a protocol-2 one answers the next hello: asked for its knobs, once
    h.tickRepeating();
    h.tickRepeating();
    h.tickRepeating();
    let n = h.osc(OUT_UDP).length;
    h.send("/sentgen/pong", "2", "toy", "cpu");
    h.send("/sentgen/pong", "2", "toy", "cpu");
    assert.deepEqual(h.osc(OUT_UDP).slice(n), [["/sentgen/knobs/get"]]);
    h.send("/sentgen/knobs", "a", "Alpha", "learned", 3, "x", "y", "z", "b", "Beta", "rule", 2, "p", "q");
    const m = menus(h);
    assert.deepEqual(m[1], {items: ["x", "y", "z"], index: 0, ignoreclick: 0, hint: "Alpha"});
    assert.deepEqual(m[2], {items: ["p", "q"], index: 0, ignoreclick: 0, hint: "Beta"});
    for (let k = 3; k <= 12; k++) {
        assert.deepEqual([m[k].items, m[k].ignoreclick], [[], 1], "menu " + k + " unused");
    }
    // rows by name
    h.send("/sentgen/attrs", "b", 1, "q", 1, "a", 2, "z", 1);
    assert.deepEqual([menus(h)[1].index, menus(h)[2].index], [2, 1]);
    n = h.osc(OUT_UDP).length;
    h.send("menu", 2, 0);
    h.send("menu", 3, 0);
    assert.deepEqual(h.osc(OUT_UDP).slice(n), [["/sentgen/attr/set", "b", 0]]);
    assert.match(lastStatus(h), /Menu 3 is not used by this model/);
});

test("the folk model's 8 knobs fill menus 1-8 with its labels; menu 7 sends key", () => {
    // testdata/folk_knobs.json: /sentgen/knobs of the engine serving models/folk.* (checked by
    // tests/bridge/test_folk_product.py)
    const folk = JSON.parse(require("node:fs").readFileSync(path.join(__dirname, "testdata", "folk_knobs.json"), "utf8"));
    const h = loadMaxScript(TOOL);
    h.boot();
    h.send("/sentgen/pong", "2", "folk", "cpu");
    h.send("/sentgen/knobs", ...folk);
    const m = menus(h);
    assert.deepEqual(m[1], {items: ["<=5 notes", "6-7 notes", "8-9 notes", "10-11 notes", "12-13 notes",
        "14-15 notes", "16-17 notes", ">=18 notes"], index: 0, ignoreclick: 0, hint: "density"});
    assert.deepEqual(m[2].items, ["0 (plain)", "1", "2", "3", "4-5", "6-7", ">=8"]);
    assert.deepEqual(m[7].items, ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]);
    assert.deepEqual([m[8].items, m[8].hint], [["2", "3", "4", "5", "6", "7"], "octave"]);
    for (let k = 9; k <= 12; k++) {
        assert.deepEqual([m[k].items, m[k].ignoreclick], [[], 1], "menu " + k + " unused");
    }
    h.send("/sentgen/attrs", "density", 1, "6-7 notes", 1 / 7, "complexity", 0, "0 (plain)", 0,
        "range", 3, "8-9 semitones", 0.5, "leaps", 1, "leaps 1.5-2", 1 / 6, "contour", 6, "steep rise", 1,
        "mode", 0, "major", 0, "key", 0, "C", 0, "octave", 2, 4, 0.4);
    assert.deepEqual([menus(h)[1].index, menus(h)[7].index, menus(h)[8].index], [1, 0, 2]);
    const n = h.osc(OUT_UDP).length;
    h.send("menu", 7, 2);
    assert.deepEqual(h.osc(OUT_UDP).slice(n), [["/sentgen/attr/set", "key", 2 / 11]]);
});
