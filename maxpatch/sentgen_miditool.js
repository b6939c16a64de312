// sentgen_miditool.js - the [js] of the SentGen Live 12 MIDI Tool
// (a MIDI Transformation: live.miditool.in -> js -> live.miditool.out).
//
// A MIDI Tool must answer synchronously: when [live.miditool.in] hands over
// the selected notes, this script answers at once from the engine's latest
// state, which it already holds (received through [udpreceive 9002 @defer 1]).
// It never waits for the engine. With no state yet, the notes pass through
// unchanged and the status says so.
//
// What the transformation does: the selected notes that start inside the
// clip's time selection (cut to the engine's 2 bars, beats 0-8) are replaced
// by the engine's notes that start there, with the engine's velocity and
// mute. Selected notes outside that window (for example after bar 2) are
// passed on unchanged, with their note_id.
//
// Controls: a fixed bank of core.DIALS menus (menu <n> <index>), menu n
// being knob n of the current model (/sentgen/knobs; the dMelodies knobs
// until a protocol-2 engine sends its own). They are plain [umenu]s whose
// items this script rewrites (a MIDI Tool's controls are not automated);
// unused ones are emptied and ignore clicks. Random, Undo, Redo, and
// "Use selection" which loads the selected notes into the engine
// (/sentgen/clip/set) so that the menus edit them. When a new state arrives
// the script bangs [live.miditool.in] so Live runs the transformation again.
//
// ES5 only (Max 8 [js]); runs unchanged in Max 9's [v8].

autowatch = 0;
inlets = 2;
outlets = 6;

setinletassist(0, "notes dictionary from live.miditool.in; menus (menu n index, attr name index); random/undo/redo/usesel; OSC from [udpreceive]; init");
setinletassist(1, "context dictionary from live.miditool.in");
setoutletassist(0, "notes dictionary to live.miditool.out");
setoutletassist(1, "bang to live.miditool.in (run the transformation again)");
setoutletassist(2, "to [udpsend]: OSC messages, host, port");
setoutletassist(3, "to [udpreceive]: port");
setoutletassist(4, "status text");
setoutletassist(5, "the menus: n clear | n append label | n set index | n ignoreclick 0/1 | n hint title (to route 1..12 -> umenu)");

var core = require("sentgen_core");

var OUT_TOOL = 0;
var OUT_TRIGGER = 1;
var OUT_UDP = 2;
var OUT_RECV = 3;
var OUT_STATUS = 4;
var OUT_MENU = 5;

var ready = false;
var latestClip = null;     // engine's latest clip (notes), or null before any state
var fromLoad = false;      // latest state is just the selection we loaded (no edit yet)
var loadRequested = false; // "Use selection": send the next notes dictionary to the engine
var context = null;        // latest context dictionary (time selection, grid, scale)
var loadEcho = new core.EchoGuard(core.ECHO_WINDOW_MS);
var knobs = new core.KnobState("Menu");   // the model's knobs, the menus, the latest attributes

var link = core.maxConnection(this, OUT_UDP, OUT_RECV, status, now, core.DEFAULTS.toolReplyPort);

var keepaliveTask = new Task(keepalive, this);
keepaliveTask.interval = core.KEEPALIVE_MS;

// Optional arguments: [js sentgen_miditool.js <host> <port> <replyport>]
core.readArguments(link, typeof jsarguments === "undefined" ? null : jsarguments);

function status(text) {
    outlet(OUT_STATUS, String(text));
    post("sentgen tool: " + text + "\n");
}
status.local = 1;

function now() {
    return Date.now();
}
now.local = 1;

function sendOsc(message) {
    outlet(OUT_UDP, message);
}
sendOsc.local = 1;

// ------------------------------------------------------------- connection

function init() {
    ready = true;
    drawMenus();
    core.startConnection(link, keepaliveTask);
}

function keepalive() {
    link.tick();
}
keepalive.local = 1;

function sethost() {
    link.setHost(core.lastArg(arrayfromargs(arguments)));
}

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

// ------------------------------------------------------------ dictionaries

function readDict(name) {
    var d = new Dict(name);
    var text = d.stringify();
    return text ? JSON.parse(text) : {};
}
readDict.local = 1;

function emit(notes) {
    var d = new Dict();
    d.parse(JSON.stringify({notes: notes}));
    outlet(OUT_TOOL, "dictionary", d.name);
}
emit.local = 1;

// [live.miditool.in] -> "dictionary <name>": notes on inlet 0, context on inlet 1.
function dictionary(name) {
    var obj;
    try {
        obj = readDict(name);
    } catch (e) {
        status("Could not read the dictionary " + name + ": " + e.message);
        return;
    }
    if (inlet === 1) {
        context = obj;
        return;
    }
    transform(obj);
}

// Answer the apply cycle now, from what is already here. Never throws:
// whatever goes wrong, the notes go out (unchanged if need be).
function transform(obj) {
    var input = core.notesArrayOf(obj);
    var prep, r;
    if (input === null) {
        status("Could not read the selected notes; nothing changed.");
        emit([]);
        return;
    }
    try {
        if (loadRequested) {
            loadRequested = false;
            prep = core.prepareClipSet(input, NaN);
            if (prep.ok) {
                loadEcho.expect(now());
                sendOsc(prep.message);
            }
            status(prep.ok ? prep.status + " Move a menu or press Random to transform them." : prep.status);
            emit(input);
            return;
        }
        if (latestClip === null) {
            status("No engine state yet: the notes pass through unchanged. Start `sentgen serve`, " +
                "then press Use selection or Random.");
            emit(input);
            return;
        }
        if (fromLoad) {
            status("Selection loaded into the engine: move a menu or press Random to transform it.");
            emit(input);
            return;
        }
        r = core.transformSelection(input, context, latestClip);
        status("Replaced " + r.replaced + " notes in beats " + r.window[0] + "-" + r.window[1] +
            " with the engine's " + r.added + "; " + r.kept + " other notes kept.");
        emit(r.notes);
    } catch (e) {
        status("Transformation failed, notes unchanged: " + e.message);
        emit(input);
    }
}
transform.local = 1;

// ----------------------------------------------------------------- controls

function refuseIfNotReady(what) {
    return core.refuseIfNotReady(ready, what, status);
}
refuseIfNotReady.local = 1;

function sendKnob(r) {
    if (!r.ok) {
        status(r.status);
        return;
    }
    sendOsc(r.message);
}
sendKnob.local = 1;

// Menu n (1..12) picked item index: knob n of the current model.
function menu(n, index) {
    if (refuseIfNotReady("menu")) {
        return;
    }
    sendKnob(knobs.pick(n, index));
}

// A knob by name: "attr <name> <index>".
function attr(name, index) {
    if (refuseIfNotReady("menu")) {
        return;
    }
    sendKnob(knobs.setByName(name, index));
}

// "Use selection": the next notes dictionary is loaded into the engine.
function usesel() {
    if (core.isRelease(arguments) || refuseIfNotReady("use selection")) {
        return;
    }
    loadRequested = true;
    outlet(OUT_TRIGGER, "bang");
}

function simple(args, address, word) {
    if (core.isRelease(args) || refuseIfNotReady(word)) {
        return;
    }
    sendOsc([address]);
    status(word + "...");
}
simple.local = 1;

function random() {
    simple(arguments, core.PROTOCOL.random, "Random");
}

function undo() {
    simple(arguments, core.PROTOCOL.undo, "Undo");
}

function redo() {
    simple(arguments, core.PROTOCOL.redo, "Redo");
}

// --------------------------------------------------- engine state (OSC in)

function anything() {
    var address = messagename;
    var args = arrayfromargs(arguments);
    var m, connecting;
    if (typeof address !== "string" || address.charAt(0) !== "/") {
        status("Unknown message: " + address);
        return;
    }
    try {
        m = core.parseIncoming(address, args);
    } catch (e) {
        status("Could not read " + address + ": " + e.message);
        return;
    }
    if (!ready || m.kind === "unknown") {
        return;
    }
    if (m.kind === "clip") {
        if (!m.ok) {
            status("Engine sent a bad clip, ignored: " + m.error);
            return;
        }
        latestClip = m.notes;
        if (loadEcho.consume(now())) {
            fromLoad = true;
            return;
        }
        fromLoad = false;
        if (link.helloEcho.consume(now())) {
            status("Engine state received (" + m.notes.length + " notes). Press Apply to use it.");
            return;
        }
        outlet(OUT_TRIGGER, "bang");
    } else if (m.kind === "attrs") {
        onAttrs(m);
    } else if (m.kind === "knobs") {
        onKnobs(m);
    } else if (m.kind === "pong") {
        connecting = !link.connected;
        link.onPong(m);
        onVersion(knobs.onVersion(m.version, connecting));
    } else if (m.kind === "registered") {
        link.onRegistered(m);   // keep-alive answer: re-registers if the engine forgot us
    } else if (m.kind === "error") {
        if (m.address === core.PROTOCOL.clipSet) {
            loadEcho.clear();
        }
        status("Engine error (" + m.address + "): " + m.message);
    } else if (m.kind === "models") {
        status("Models: " + m.models.join(", "));
    }
}

// The engine's reading: rows matched to the menus by knob name; the menus
// of valid knobs show it ("set": no output).
function onAttrs(m) {
    core.applyAttrs(m, knobs, sendOsc, status, function (f) {
        outlet(OUT_MENU, f.n, "set", f.index);
    });
}
onAttrs.local = 1;

function onVersion(v) {
    if (v.reset) {
        drawMenus();
    }
    if (v.request) {
        sendOsc([core.PROTOCOL.knobsGet]);
    }
}
onVersion.local = 1;

function onKnobs(m) {
    var r;
    if (!m.ok) {
        status("Engine sent bad knobs, the menus stay as they were: " + m.error);
        return;
    }
    r = knobs.setKnobs(m.knobs);
    if (!r.changed) {
        return;
    }
    drawMenus();
    status(r.warning || "Knobs of the model: " + knobs.titles().join(", ") + ".");
}
onKnobs.local = 1;

// Every menu's items, position, hint and whether it is in use.
function drawMenus() {
    var view = knobs.view();
    var i, j, d;
    for (i = 0; i < view.length; i++) {
        d = view[i];
        outlet(OUT_MENU, d.n, "clear");
        if (d.active) {
            for (j = 0; j < d.knob.labels.length; j++) {
                outlet(OUT_MENU, d.n, "append", d.knob.labels[j]);
            }
            outlet(OUT_MENU, d.n, "set", d.index);
            outlet(OUT_MENU, d.n, "hint", d.title);
        }
        outlet(OUT_MENU, d.n, "ignoreclick", d.active ? 0 : 1);
    }
}
drawMenus.local = 1;

function notifydeleted() {
    keepaliveTask.cancel();
}
