// sentgen_device.js - the [js] of the SentGen Max for Live MIDI effect.
//
// Reads the selected clip with get_notes_extended, loads it into the engine
// (/sentgen/clip/set), sends dial moves (/sentgen/attr/set), Random, Undo and
// Redo, receives the engine's state through [udpreceive 9001 @defer 1] and
// writes it back into the same clip with remove_notes_extended (beats 0-8
// only) + add_new_notes. The clip itself is never deleted or recreated;
// velocity and mute come back from the engine per note.
//
// The knobs come from the model: a fixed bank of core.DIALS dials (Live
// parameters cannot appear and disappear); dial N is knob N of the current
// model (/sentgen/knobs; the dMelodies knobs until a protocol-2 engine sends
// its own). Each dial is a 0..1 parameter; its title and value label are
// comments next to it that this script rewrites, unused dials are inactive.
//
// Rules of Max for Live that this file follows:
// - no LiveAPI in global code: nothing touches Live before the "init"
//   message, which the patch sends when [live.thisdevice] bangs
//   (through [deferlow]);
// - no LiveAPI from the high-priority thread: [udpreceive] runs with
//   @defer 1, the patch puts [deferlow] in front of "init", [js] itself runs
//   on the low-priority (main) thread, and clip writes run from a Task.
//
// ES5 only (Max 8 [js], Live 11). Runs unchanged in Max 9's [v8].
// Pure logic lives in sentgen_core.js (tested with node).

autowatch = 0;
inlets = 1;
outlets = 5;

setinletassist(0, "dials (dial n value), attr name index, random/undo/redo/getclip, host/port/replyport, init, OSC from [udpreceive]");
setoutletassist(0, "to [udpsend]: OSC messages, host, port");
setoutletassist(1, "to [udpreceive]: port");
setoutletassist(2, "status text");
setoutletassist(3, "attribute labels text");
setoutletassist(4, "the bank: dial n set v | dial n active 0/1 | title n set text | label n set text (to route -> route 1..12)");

var core = require("sentgen_core");

var OUT_UDP = 0;
var OUT_RECV = 1;
var OUT_STATUS = 2;
var OUT_ATTRS = 3;
var OUT_BANK = 4;

var ready = false;          // live.thisdevice has banged
var boundId = 0;            // Live id of the clip this device edits
var lastSynced = null;      // notes (beats 0-8) the clip held at the last load/write
var latestClip = null;      // engine's latest clip (notes)
var knobs = new core.KnobState();   // the model's knobs, the dials, the latest attributes
var pendingNotes = null;    // notes waiting for the write Task
var loadEcho = new core.EchoGuard(core.ECHO_WINDOW_MS);

var link = core.maxConnection(this, OUT_UDP, OUT_RECV, status, now, core.DEFAULTS.replyPort);

var writeTask = new Task(runWrite, this);
var keepaliveTask = new Task(keepalive, this);
keepaliveTask.interval = core.KEEPALIVE_MS;

// Optional arguments in the object box: [js sentgen_device.js <host> <port> <replyport>]
core.readArguments(link, typeof jsarguments === "undefined" ? null : jsarguments);

// ------------------------------------------------------------------ output

function status(text) {
    outlet(OUT_STATUS, String(text));
    post("sentgen: " + text + "\n");
}
status.local = 1;

function sendOsc(message) {
    outlet(OUT_UDP, message);
}
sendOsc.local = 1;

function now() {
    return Date.now();
}
now.local = 1;

function first(v) {
    return v instanceof Array ? v[0] : v;
}
first.local = 1;

// ------------------------------------------------------------- connection

// From [live.thisdevice] (through [deferlow]): Live is ready for us.
function init() {
    ready = true;
    drawBank();
    core.startConnection(link, keepaliveTask);
}

function hello() {
    if (refuseIfNotReady("hello")) {
        return;
    }
    link.hello();
}

function keepalive() {
    link.tick();
}
keepalive.local = 1;

// Engine host from the [textedit] ("sethost 127.0.0.1", "sethost text 127.0.0.1").
function sethost() {
    link.setHost(core.lastArg(arrayfromargs(arguments)));
}

// From the live.numbox fields (Float parameters shown as Int).
function setport(p) {
    link.setPort(core.numboxValue(p));
}

function setreplyport(p) {
    link.setReplyPort(core.numboxValue(p));
}

// The engine's token (sentgen serve --token; needed when it listens beyond
// loopback): "settoken <word>" from a [textedit] or a message box, "settoken" clears it.
function settoken() {
    link.setToken(core.lastArg(arrayfromargs(arguments)));
}

// ------------------------------------------------------------- Live clips

// LiveAPI's first argument is a callback (for observed properties); we only
// get and call, so a function that does nothing.
function ignoreLive() {
}
ignoreLive.local = 1;

// The clip shown in Live's Detail View, checked. Never throws.
//   {ok, api, id, name, notes (beats 0-8), read, length, error}
function describeClip(api) {
    var res = {ok: false, api: api, id: 0, name: "", length: 0, read: null, error: ""};
    var raw, len;
    res.id = Number(api.id);
    if (!res.id) {
        res.error = "No clip selected: select a MIDI clip (or double-click an empty slot to create one).";
        return res;
    }
    if (!Number(first(api.get("is_midi_clip")))) {
        res.error = "The selected clip is an audio clip: select a MIDI clip.";
        return res;
    }
    res.name = String(first(api.get("name")) || "");
    len = Number(first(api.get("length")));
    res.length = isFinite(len) ? len : 0;
    raw = api.call("get_notes_extended", 0, 128, 0, Math.max(res.length, core.CLIP_BEATS));
    res.read = core.readLiveNotes(raw);
    if (!res.read.ok) {
        res.error = "Cannot read the clip's notes.";
        return res;
    }
    res.raw = raw;
    res.ok = true;
    return res;
}
describeClip.local = 1;

function selectedClip() {
    try {
        return describeClip(new LiveAPI(ignoreLive, "live_set view detail_clip"));
    } catch (e) {
        return {ok: false, id: 0, error: "Cannot reach Live's clip: " + e.message};
    }
}
selectedClip.local = 1;

// The selected clip when it can be edited; null (and the reason in the
// status) when not.
function editableClip() {
    var info = selectedClip();
    if (!info.ok) {
        status(info.error);
        return null;
    }
    return info;
}
editableClip.local = 1;

function clipById(id) {
    if (!id) {
        return {ok: false, id: 0, error: "No clip is linked to the device yet: select a MIDI clip and turn a knob, or press Read."};
    }
    try {
        var info = describeClip(new LiveAPI(ignoreLive, "id " + id));
        if (!info.ok && !info.id) {
            info.error = "The clip this device was editing is gone: select a MIDI clip and press Read.";
        }
        return info;
    } catch (e) {
        return {ok: false, id: 0, error: "Cannot reach the clip: " + e.message};
    }
}
clipById.local = 1;

// Load the clip into the engine when it is not what the engine already has.
// Returns false (with a status) when there is nothing to edit.
function loadClip(info, force) {
    var prep;
    if (!force && info.id === boundId && lastSynced && core.sameNotes(info.read.inside, lastSynced)) {
        return true;
    }
    prep = core.prepareClipSet(info.raw, info.length);
    if (!prep.ok) {
        status(prep.status);
        return false;
    }
    boundId = info.id;
    lastSynced = prep.notes;
    loadEcho.expect(now());
    sendOsc(prep.message);
    status(prep.status);
    return true;
}
loadClip.local = 1;

function refuseIfNotReady(what) {
    return core.refuseIfNotReady(ready, what, status);
}
refuseIfNotReady.local = 1;

// ------------------------------------------------------- controls (inlet)

// Send a knob edit: load the selected clip first when it is not the
// engine's already.
function sendEdit(msg) {
    var info = editableClip();
    if (info && loadClip(info, false)) {
        sendOsc(msg);
    }
}
sendEdit.local = 1;

// Dial n (1..12) moved to v (0..1): knob n of the current model, index
// round(v * (count - 1)). Only a change of index is sent; an unused dial
// sends nothing.
function dial(n, v) {
    var r = knobs.turn(n, v);   // the dial stands there even before init
    if (refuseIfNotReady("knob")) {
        return;
    }
    if (!r.ok) {
        status(r.status);
        return;
    }
    showText("label", n, r.label);
    if (r.message !== null) {
        sendEdit(r.message);
    }
}

// A knob by name: "attr <name> <index>" (index in its label list).
function attr(name, index) {
    var r;
    if (refuseIfNotReady("knob")) {
        return;
    }
    r = knobs.setByName(name, index);
    if (!r.ok) {
        status(r.status);
        return;
    }
    sendEdit(r.message);
}

// Read: load the selected clip into the engine now (after editing notes by hand).
function getclip() {
    var info;
    if (refuseIfNotReady("read")) {
        return;
    }
    info = editableClip();
    if (info) {
        loadClip(info, true);
    }
}

function random() {
    var info;
    if (core.isRelease(arguments)) {
        return;
    }
    if (refuseIfNotReady("random")) {
        return;
    }
    info = editableClip();
    if (!info) {
        return;
    }
    boundId = info.id;
    lastSynced = info.read.inside;
    sendOsc([core.PROTOCOL.random]);
    status("Asking the model for a new clip...");
}

function history(args, address, word) {
    var info;
    if (core.isRelease(args) || refuseIfNotReady(word)) {
        return;
    }
    info = boundId ? clipById(boundId) : selectedClip();
    if (!info.ok && boundId) {
        info = selectedClip();   // the linked clip is gone: use the selected one
    }
    if (!info.ok) {
        status(info.error);
        return;
    }
    boundId = info.id;
    sendOsc([address]);
    status(word + "...");
}
history.local = 1;

function undo() {
    history(arguments, core.PROTOCOL.undo, "Undo");
}

function redo() {
    history(arguments, core.PROTOCOL.redo, "Redo");
}

// --------------------------------------------------- engine state (OSC in)

function anything() {
    var address = messagename;
    var args = arrayfromargs(arguments);
    if (typeof address === "string" && address.charAt(0) === "/") {
        incoming(address, args);
    } else {
        status("Unknown message: " + address);
    }
}

function incoming(address, args) {
    var m;
    try {
        m = core.parseIncoming(address, args);
    } catch (e) {
        status("Could not read " + address + ": " + e.message);
        return;
    }
    if (m.kind === "unknown") {
        post("sentgen: ignored " + address + "\n");
        return;
    }
    if (!ready) {
        status("Not ready yet: engine message " + address + " ignored (nothing is written before the device has loaded).");
        return;
    }
    if (m.kind === "clip") {
        onClip(m);
    } else if (m.kind === "attrs") {
        onAttrs(m);
    } else if (m.kind === "knobs") {
        onKnobs(m);
    } else if (m.kind === "pong") {
        onPong(m);
    } else if (m.kind === "registered") {
        link.onRegistered(m);   // keep-alive answer: re-registers if the engine forgot us
    } else if (m.kind === "error") {
        if (m.address === core.PROTOCOL.clipSet) {
            loadEcho.clear();
        }
        if (m.address === core.PROTOCOL.hello) {
            link.helloEcho.clear();
        }
        status("Engine error (" + m.address + "): " + m.message);
    } else if (m.kind === "models") {
        status("Models: " + m.models.join(", "));
    }
}
incoming.local = 1;

function onClip(m) {
    if (!m.ok) {
        status("Engine sent a bad clip, nothing written: " + m.error);
        return;
    }
    latestClip = m.notes;
    if (loadEcho.consume(now()) || link.helloEcho.consume(now())) {
        // the answer to our own load or hello: the user's notes stay as they are
        return;
    }
    requestWrite(m.notes);
}
onClip.local = 1;

// The engine's reading of the clip: rows matched to the dials by knob name;
// the dials of valid knobs follow it ("set": no output), the others stay.
function onAttrs(m) {
    if (core.applyAttrs(m, knobs, sendOsc, status, function (f) {
        outlet(OUT_BANK, "dial", f.n, "set", f.value);
        showText("label", f.n, f.label);
    })) {
        outlet(OUT_ATTRS, knobs.summary());
    }
}
onAttrs.local = 1;

function onPong(m) {
    var connecting = !link.connected;
    var v;
    link.onPong(m);
    v = knobs.onVersion(m.version, connecting);
    if (v.reset) {
        drawBank();
    }
    if (v.request) {
        sendOsc([core.PROTOCOL.knobsGet]);
    }
}
onPong.local = 1;

// The current model's knobs: the dials take their titles, labels and
// positions from the new table (unused ones go inactive).
function onKnobs(m) {
    var r;
    if (!m.ok) {
        status("Engine sent bad knobs, the dials stay as they were: " + m.error);
        return;
    }
    r = knobs.setKnobs(m.knobs);
    if (!r.changed) {
        return;
    }
    drawBank();
    if (knobs.rows !== null) {
        outlet(OUT_ATTRS, knobs.summary());
    }
    status(r.warning || "Knobs of the model: " + knobs.titles().join(", ") + ".");
}
onKnobs.local = 1;

// A dial's title or value label (a comment): "set" alone clears it.
function showText(what, n, text) {
    if (text === "") {
        outlet(OUT_BANK, what, n, "set");
    } else {
        outlet(OUT_BANK, what, n, "set", text);
    }
}
showText.local = 1;

// Every dial's title, value label, position and whether it is in use.
function drawBank() {
    var view = knobs.view();
    var i, d;
    for (i = 0; i < view.length; i++) {
        d = view[i];
        showText("title", d.n, d.title);
        showText("label", d.n, d.label);
        outlet(OUT_BANK, "dial", d.n, "active", d.active);
        if (d.active) {
            outlet(OUT_BANK, "dial", d.n, "set", d.knob.count > 1 ? d.index / (d.knob.count - 1) : 0);
        }
    }
}
drawBank.local = 1;

// Queue a write; the Task runs it on the low-priority thread. A burst of
// states (knob flood) ends in one write of the newest state.
function requestWrite(notes) {
    if (!ready) {
        status("Not ready yet: write refused (the device has not finished loading).");
        return false;
    }
    if (!boundId) {
        status("The engine's clip changed. Select a MIDI clip and press Read (or turn a knob) to edit it here.");
        return false;
    }
    pendingNotes = notes;
    writeTask.cancel();
    writeTask.schedule(0);
    return true;
}
requestWrite.local = 1;

function runWrite() {
    var notes = pendingNotes;
    pendingNotes = null;
    if (notes !== null) {
        writeClip(notes);
    }
}
runWrite.local = 1;

// Replace the notes in beats 0-8 of the linked clip; notes after bar 2 stay.
function writeClip(notes) {
    var info, added;
    if (!ready) {
        status("Not ready yet: write refused (the device has not finished loading).");
        return false;
    }
    info = clipById(boundId);
    if (!info.ok) {
        status(info.error);
        return false;
    }
    if (core.sameNotes(info.read.inside, notes)) {
        lastSynced = notes;
        return true;
    }
    try {
        info.api.call("remove_notes_extended", 0, 128, 0, core.CLIP_BEATS);
        if (notes.length) {
            info.api.call("add_new_notes", core.notesToLiveDict(notes));
        }
    } catch (e) {
        status("Live refused the notes: " + e.message);
        return false;
    }
    // remember what Live actually holds now (it may trim overlapping notes)
    try {
        lastSynced = core.readLiveNotes(info.api.call("get_notes_extended", 0, 128, 0, core.CLIP_BEATS)).inside;
    } catch (e2) {
        lastSynced = notes;
    }
    added = notes.length + " notes written to " + (info.name ? "\"" + info.name + "\"" : "the clip") + ".";
    if (info.read.beyond > 0) {
        added += " The " + info.read.beyond + " notes after bar 2 were kept.";
    }
    if (info.length > 0 && info.length < core.CLIP_BEATS) {
        added += " The clip is shorter than 2 bars: lengthen its loop to hear all notes.";
    }
    status(added);
    return true;
}
writeClip.local = 1;

// ----------------------------------------------------------------- cleanup

function notifydeleted() {
    keepaliveTask.cancel();
    writeTask.cancel();
}
