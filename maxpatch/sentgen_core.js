// sentgen_core.js - the pure logic shared by the Max for Live device
// (sentgen_device.js), the Live 12 MIDI Tool (sentgen_miditool.js) and the
// node tests. No Max or Live globals are used here.
//
// Written in ES5 on purpose: Max's [js] object (Max 8, Live 11) runs an old
// JavaScript engine without let/const/arrow functions/template strings.
// The same file loads unchanged in Max 9's [v8] object and under node.
//
// Loading: in Max, `require("sentgen_core")` (the file must be in the Max
// search path, e.g. next to the device); in node, `require("./sentgen_core.js")`.
// Max's require() supports only the `exports` object (no module.exports), so
// this file assigns properties to `exports`.

var sentgen = (function () {
    "use strict";

    var PROTOCOL = {
        hello: "/sentgen/hello",
        auth: "/sentgen/auth",
        helloCheck: "/sentgen/hello/check",
        registered: "/sentgen/registered",
        ping: "/sentgen/ping",
        pong: "/sentgen/pong",
        clipSet: "/sentgen/clip/set",
        clipGet: "/sentgen/clip/get",
        attrSet: "/sentgen/attr/set",
        attrsSet: "/sentgen/attrs/set",
        attrsGet: "/sentgen/attrs/get",
        random: "/sentgen/random",
        undo: "/sentgen/undo",
        redo: "/sentgen/redo",
        clip: "/sentgen/clip",
        attrs: "/sentgen/attrs",
        models: "/sentgen/models",
        knobs: "/sentgen/knobs",
        knobsGet: "/sentgen/knobs/get",
        error: "/sentgen/error"
    };

    var DEFAULTS = {
        host: "127.0.0.1",
        port: 9000,          // the engine listens here
        replyPort: 9001,     // the device's [udpreceive]
        toolReplyPort: 9002  // the MIDI Tool's [udpreceive]
    };

    var CLIP_BEATS = 8;       // 2 bars of 4/4, in beats
    var ECHO_WINDOW_MS = 2000; // how long a load/hello reply counts as an echo
    var EPS = 1e-4;           // time tolerance when comparing notes, in beats
    var KEEPALIVE_MS = 4000;  // how often the [js] checks on the engine (keep-alive)

    // The device's fixed bank: Live parameters cannot appear and disappear,
    // so there are always DIALS dials (menus in the MIDI Tool); dial N is
    // knob N of the current model and the unused ones are inactive. 12 is
    // enough for every shipped family (dMelodies 9, folk 8).
    var DIALS = 12;
    var KNOB_KINDS = ["learned", "rule"];

    // The dMelodies knobs: the fallback table, used until the engine sends
    // /sentgen/knobs (a protocol-1 engine never does). Nothing else reads
    // these names; everything goes through the current KnobTable.
    var ATTR_NAMES = ["tonic", "octave", "scale", "rhythm_bar1", "rhythm_bar2",
        "arp_chord1", "arp_chord2", "arp_chord3", "arp_chord4"];
    var ATTR_SHORT = ["Tonic", "Octave", "Scale", "Rhythm 1", "Rhythm 2",
        "Arp 1", "Arp 2", "Arp 3", "Arp 4"];

    var TONIC_LABELS = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
    var OCTAVE_LABELS = ["4", "5", "6"];
    var SCALE_LABELS = ["major", "minor", "blues"];
    var ARP_LABELS = ["up", "down"];

    // The 28 rhythms: every 6-of-8 subset of onset slots, in lexicographic
    // order of the subsets, written as 8 characters ("11111100" first).
    function makeRhythmLabels() {
        var out = [];
        function rec(start, chosen) {
            var i, s, bits;
            if (chosen.length === 6) {
                bits = "";
                for (s = 0; s < 8; s++) {
                    bits += chosen.indexOf(s) >= 0 ? "1" : "0";
                }
                out.push(bits);
                return;
            }
            for (i = start; i < 8; i++) {
                rec(i + 1, chosen.concat([i]));
            }
        }
        rec(0, []);
        return out;
    }
    var RHYTHM_LABELS = makeRhythmLabels();

    var ATTR_LABELS = [TONIC_LABELS, OCTAVE_LABELS, SCALE_LABELS, RHYTHM_LABELS,
        RHYTHM_LABELS, ARP_LABELS, ARP_LABELS, ARP_LABELS, ARP_LABELS];

    // ---------------------------------------------------------------- helpers

    function isNum(x) {
        return typeof x === "number" && isFinite(x);
    }

    function toNum(x) {
        // Max atoms arrive as numbers; accept numeric strings as well.
        if (typeof x === "number") {
            return isFinite(x) ? x : NaN;
        }
        if (typeof x === "string" && x !== "" && !isNaN(Number(x))) {
            return Number(x);
        }
        return NaN;
    }

    function isInt(x) {
        return isNum(x) && Math.floor(x) === x;
    }

    function round4(x) {
        return Math.round(x * 10000) / 10000;
    }

    // ------------------------------------------------------------ knob table

    function makeKnob(name, title, kind, labels) {
        return {name: name, title: title, kind: kind, count: labels.length, labels: labels};
    }

    function fallbackKnobs() {
        var out = [];
        var i;
        for (i = 0; i < ATTR_NAMES.length; i++) {
            out.push(makeKnob(ATTR_NAMES[i], ATTR_SHORT[i], "learned", ATTR_LABELS[i]));
        }
        return out;
    }

    // The current model's knobs in order (name, title, kind, count, labels),
    // from /sentgen/knobs, or the fallback table (fromEngine false).
    function KnobTable(knobs, fromEngine) {
        this.knobs = knobs;
        this.fromEngine = !!fromEngine;
    }
    KnobTable.prototype.position = function (name) {
        var i;
        for (i = 0; i < this.knobs.length; i++) {
            if (this.knobs[i].name === String(name)) {
                return i;
            }
        }
        return -1;
    };
    KnobTable.prototype.knob = function (name) {
        var i = this.position(name);
        return i < 0 ? null : this.knobs[i];
    };
    // The knob on dial (or menu) n, 1-based; null for an unused dial.
    KnobTable.prototype.slot = function (n) {
        var i = toNum(n);
        if (!isInt(i) || i < 1 || i > DIALS || i > this.knobs.length) {
            return null;
        }
        return this.knobs[i - 1];
    };
    // The knobs that have no dial (a model with more than DIALS knobs).
    KnobTable.prototype.hidden = function () {
        return this.knobs.slice(DIALS);
    };
    KnobTable.prototype.names = function () {
        var out = [];
        var i;
        for (i = 0; i < this.knobs.length; i++) {
            out.push(this.knobs[i].name);
        }
        return out;
    };
    // Knob index -> normalised value in [0,1]: index / (count - 1); null when
    // the name or the index is not valid.
    KnobTable.prototype.value = function (name, index) {
        var k = this.knob(name);
        var i = toNum(index);
        if (!k || isNaN(i)) {
            return null;
        }
        i = Math.round(i);
        if (i < 0 || i >= k.count) {
            return null;
        }
        return k.count > 1 ? i / (k.count - 1) : 0;
    };
    // Normalised value -> nearest index (what the engine does with a value).
    KnobTable.prototype.indexOfValue = function (name, value) {
        var k = this.knob(name);
        var v = toNum(value);
        if (!k || isNaN(v) || v < 0 || v > 1) {
            return -1;
        }
        return Math.round(v * (k.count - 1));
    };
    // /sentgen/attr/set <name> <index/(count-1)>, or null.
    KnobTable.prototype.setMessage = function (name, index) {
        var v = this.value(name, index);
        if (v === null) {
            return null;
        }
        return [PROTOCOL.attrSet, String(name), v];
    };

    // ------------------------------------------------------------ Live notes

    // Accept what Live hands out: a JSON string (LiveAPI get_notes_extended),
    // an object {notes: [...]}, an array of notes, or a Max dict's parse where
    // a one-element array became a single object.
    function notesArrayOf(raw) {
        var obj = raw;
        if (raw === null || raw === undefined) {
            return [];
        }
        if (typeof raw === "string") {
            try {
                obj = JSON.parse(raw);
            } catch (e) {
                return null;
            }
        }
        if (obj instanceof Array) {
            return obj;
        }
        if (obj && typeof obj === "object") {
            if (obj.notes === undefined || obj.notes === null) {
                return [];
            }
            if (obj.notes instanceof Array) {
                return obj.notes;
            }
            if (typeof obj.notes === "object") {
                return [obj.notes];
            }
        }
        return null;
    }

    function compareNotes(a, b) {
        if (Math.abs(a.start_time - b.start_time) > EPS) {
            return a.start_time - b.start_time;
        }
        if (a.pitch !== b.pitch) {
            return a.pitch - b.pitch;
        }
        return a.duration - b.duration;
    }

    // One Live note -> {pitch, start_time, duration, velocity, mute} or null.
    function cleanNote(n) {
        var pitch, start, dur, vel, mute;
        if (!n || typeof n !== "object") {
            return null;
        }
        pitch = toNum(n.pitch);
        start = toNum(n.start_time);
        dur = toNum(n.duration);
        vel = n.velocity === undefined ? 100 : toNum(n.velocity);
        mute = n.mute === undefined ? 0 : (n.mute === true ? 1 : (n.mute === false ? 0 : toNum(n.mute)));
        if (!isInt(pitch) || pitch < 0 || pitch > 127) {
            return null;
        }
        if (isNaN(start) || start < 0 || isNaN(dur) || dur <= 0 || isNaN(vel) || isNaN(mute)) {
            return null;
        }
        vel = Math.round(vel);
        if (vel < 1) {
            vel = 1;
        }
        if (vel > 127) {
            vel = 127;
        }
        return {
            pitch: pitch,
            start_time: start,
            duration: dur,
            velocity: vel,
            mute: mute ? 1 : 0
        };
    }

    // Read Live's notes: keep the valid ones, sorted by start then pitch, and
    // split them at the end of bar 2. Never throws.
    //   {ok, notes (all valid, sorted), inside (start < 8), beyond (count),
    //    invalid (count), muted (count inside), error}
    function readLiveNotes(raw) {
        var arr = notesArrayOf(raw);
        var res = {ok: true, notes: [], inside: [], beyond: 0, invalid: 0, muted: 0, error: ""};
        var i, c;
        if (arr === null) {
            res.ok = false;
            res.error = "could not read the clip's notes";
            return res;
        }
        for (i = 0; i < arr.length; i++) {
            c = cleanNote(arr[i]);
            if (c === null) {
                res.invalid += 1;
            } else {
                res.notes.push(c);
            }
        }
        res.notes.sort(compareNotes);
        for (i = 0; i < res.notes.length; i++) {
            c = res.notes[i];
            if (c.start_time < CLIP_BEATS - EPS) {
                res.inside.push(c);
                if (c.mute) {
                    res.muted += 1;
                }
            } else {
                res.beyond += 1;
            }
        }
        return res;
    }

    // Notes -> flat OSC arguments, 5 per note, in start order. A note that
    // rings past beat 8 is shortened to end at beat 8 (the engine's clip is 2
    // bars); the note in Live keeps its length until the engine rewrites it.
    function notesToFlat(notes) {
        var flat = [];
        var i, n, dur;
        for (i = 0; i < notes.length; i++) {
            n = notes[i];
            dur = Math.min(n.duration, CLIP_BEATS - n.start_time);
            flat.push(n.pitch, round4(n.start_time), round4(dur), n.velocity, n.mute ? 1 : 0);
        }
        return flat;
    }

    // What the device sends when it loads a Live clip into the engine.
    //   {ok, message: [address, ...] or null, status, notes (the ones sent),
    //    beyond, muted, invalid, empty}
    function prepareClipSet(raw, clipLength) {
        var read = readLiveNotes(raw);
        var parts = [];
        var out = {ok: false, message: null, status: "", notes: [], beyond: 0,
            muted: 0, invalid: 0, empty: false};
        var len = toNum(clipLength);
        if (!read.ok) {
            out.status = "Cannot read this clip: " + read.error + ".";
            return out;
        }
        out.notes = read.inside;
        out.beyond = read.beyond;
        out.muted = read.muted;
        out.invalid = read.invalid;
        if (read.inside.length === 0) {
            out.empty = true;
            out.status = read.beyond > 0 ?
                "The first 2 bars of this clip are empty (the engine edits beats 0-8 only): press Random to fill them." :
                "This clip is empty: press Random to fill it from the model, or draw a few notes first.";
            return out;
        }
        out.ok = true;
        out.message = [PROTOCOL.clipSet].concat(notesToFlat(read.inside));
        parts.push("Sent " + read.inside.length + " notes to the engine.");
        if (read.beyond > 0 || (!isNaN(len) && len > CLIP_BEATS + EPS)) {
            parts.push("Clip is longer than 2 bars: only the first 2 bars (beats 0-8) are edited; " +
                read.beyond + " later notes are kept as they are.");
        }
        if (read.muted > 0) {
            parts.push(read.muted + " muted notes stay muted.");
        }
        if (read.invalid > 0) {
            parts.push(read.invalid + " unreadable notes were skipped.");
        }
        out.status = parts.join(" ");
        return out;
    }

    // Notes for LiveAPI add_new_notes / live.miditool.out: exactly the keys
    // Live documents, numbers of the right kind.
    function toLiveNote(n) {
        return {
            pitch: n.pitch,
            start_time: n.start_time,
            duration: n.duration,
            velocity: n.velocity,
            mute: n.mute ? 1 : 0
        };
    }

    function notesToLiveDict(notes) {
        var out = [];
        var i;
        for (i = 0; i < notes.length; i++) {
            out.push(toLiveNote(notes[i]));
        }
        return {notes: out};
    }

    // Same notes (order-free, times within EPS)?
    function sameNotes(a, b) {
        var x, y, i;
        if (!a || !b || a.length !== b.length) {
            return false;
        }
        x = a.slice().sort(compareNotes);
        y = b.slice().sort(compareNotes);
        for (i = 0; i < x.length; i++) {
            if (x[i].pitch !== y[i].pitch ||
                Math.abs(x[i].start_time - y[i].start_time) > EPS ||
                Math.abs(x[i].duration - y[i].duration) > EPS ||
                Math.round(x[i].velocity) !== Math.round(y[i].velocity) ||
                (x[i].mute ? 1 : 0) !== (y[i].mute ? 1 : 0)) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------- incoming messages

    // /sentgen/clip <pitch start dur vel mute>* -> {ok, notes, error}
    function parseClipArgs(args) {
        var notes = [];
        var i, p, t, d, v, m;
        args = args || [];
        if (args.length % 5 !== 0) {
            return {ok: false, notes: [], error: "/sentgen/clip needs 5 values per note, got " + args.length + " values"};
        }
        for (i = 0; i < args.length; i += 5) {
            p = toNum(args[i]);
            t = toNum(args[i + 1]);
            d = toNum(args[i + 2]);
            v = toNum(args[i + 3]);
            m = toNum(args[i + 4]);
            if (!isInt(p) || p < 0 || p > 127 || isNaN(t) || t < 0 || t >= CLIP_BEATS + EPS ||
                    isNaN(d) || d <= 0 || isNaN(v) || v < 0 || v > 127 || (m !== 0 && m !== 1)) {
                return {ok: false, notes: [], error: "/sentgen/clip note " + (i / 5 + 1) + " is not valid (" +
                    args.slice(i, i + 5).join(" ") + ")"};
            }
            notes.push({
                pitch: p,
                start_time: t,
                duration: Math.min(d, CLIP_BEATS - t),
                velocity: Math.max(1, Math.round(v)),
                mute: m
            });
        }
        notes.sort(compareNotes);
        return {ok: true, notes: notes, error: ""};
    }

    // /sentgen/attrs <name index label value>* -> {ok, attrs, error}. Only
    // the form is checked here; the rows are matched to the knob table by
    // name in KnobState.setAttrs (an engine may send the attributes of a
    // newly loaded model just before its /sentgen/knobs).
    function parseAttrsArgs(args) {
        var attrs = [];
        var i, name, idx, label, value;
        args = args || [];
        if (args.length % 4 !== 0 || args.length === 0) {
            return {ok: false, attrs: [], error: "/sentgen/attrs needs 4 values per attribute, got " + args.length + " values"};
        }
        for (i = 0; i < args.length; i += 4) {
            name = String(args[i]);
            idx = toNum(args[i + 1]);
            label = String(args[i + 2]);
            value = toNum(args[i + 3]);
            if (name === "" || !isInt(idx) || idx < -1) {
                return {ok: false, attrs: [], error: "/sentgen/attrs: " + name + " index " + args[i + 1] + " out of range"};
            }
            attrs.push({name: name, index: idx, label: idx === -1 ? "invalid" : label, value: value});
        }
        return {ok: true, attrs: attrs, error: ""};
    }

    // /sentgen/knobs: for each knob name title kind count label*count
    // -> {ok, knobs, error}. Labels that Max turned into numbers ("4") come
    // back as strings.
    function parseKnobsArgs(args) {
        var knobs = [];
        var seen = {};
        var i = 0;
        var name, title, kind, count, labels, j, where;
        args = args || [];
        while (i < args.length) {
            where = "/sentgen/knobs: knob " + (knobs.length + 1);
            if (i + 4 > args.length) {
                return {ok: false, knobs: [], error: where + " needs name, title, kind and count, got " +
                    (args.length - i) + " values"};
            }
            name = String(args[i]);
            title = String(args[i + 1]);
            kind = String(args[i + 2]);
            count = toNum(args[i + 3]);
            if (typeof args[i] !== "string" || name === "") {
                return {ok: false, knobs: [], error: where + " has no name"};
            }
            if (seen[name] === 1) {
                return {ok: false, knobs: [], error: where + ": " + name + " appears twice"};
            }
            if (KNOB_KINDS.indexOf(kind) < 0) {
                return {ok: false, knobs: [], error: where + " (" + name + "): kind must be learned or rule, got " + kind};
            }
            if (!isInt(count) || count < 1) {
                return {ok: false, knobs: [], error: where + " (" + name + "): count must be a whole number of at least 1, got " +
                    args[i + 3]};
            }
            if (i + 4 + count > args.length) {
                return {ok: false, knobs: [], error: where + " (" + name + ") has " + count + " values but only " +
                    (args.length - i - 4) + " labels follow"};
            }
            labels = [];
            for (j = 0; j < count; j++) {
                labels.push(String(args[i + 4 + j]));
            }
            seen[name] = 1;
            knobs.push(makeKnob(name, title === "" ? name : title, kind, labels));
            i += 4 + count;
        }
        return {ok: true, knobs: knobs, error: ""};
    }

    // /sentgen/registered <reply_port> <0|1>, the answer to /sentgen/hello/check
    // -> {kind, ok, replyPort, registered, error}
    function parseRegistered(args) {
        var port = toNum(args[0]);
        var flag = toNum(args[1]);
        if (args.length !== 2 || !isInt(port) || (flag !== 0 && flag !== 1)) {
            return {kind: "registered", ok: false, replyPort: null, registered: false,
                error: "/sentgen/registered needs reply_port and 0 or 1, got " + args.join(" ")};
        }
        return {kind: "registered", ok: true, replyPort: port, registered: flag === 1, error: ""};
    }

    function parseIncoming(address, args) {
        var r;
        args = args || [];
        switch (address) {
        case PROTOCOL.clip:
            r = parseClipArgs(args);
            return {kind: "clip", ok: r.ok, notes: r.notes, error: r.error};
        case PROTOCOL.attrs:
            r = parseAttrsArgs(args);
            return {kind: "attrs", ok: r.ok, attrs: r.attrs, error: r.error};
        case PROTOCOL.knobs:
            r = parseKnobsArgs(args);
            return {kind: "knobs", ok: r.ok, knobs: r.knobs, error: r.error};
        case PROTOCOL.pong:
            return {kind: "pong", ok: true, version: String(args[0] === undefined ? "?" : args[0]),
                model: String(args[1] === undefined ? "?" : args[1]),
                device: String(args[2] === undefined ? "?" : args[2])};
        case PROTOCOL.registered:
            return parseRegistered(args);
        case PROTOCOL.error:
            return {kind: "error", ok: true, address: String(args[0] === undefined ? "?" : args[0]),
                message: args.slice(1).join(" ") || "unknown error"};
        case PROTOCOL.models:
            return {kind: "models", ok: true, models: args.map(String)};
        default:
            return {kind: "unknown", ok: false, error: "unknown message " + address};
        }
    }

    // The summary line: the labels of the named knobs, in that order; a run
    // of numbered knobs (rhythm_bar1 rhythm_bar2, arp_chord1..4) is set apart
    // with "|": "C 5 major | 11111100 11011110 | up down up up".
    function formatAttrs(attrs, names) {
        var byName = {};
        var parts = [];
        var group = null;
        var i, stem, m;
        for (i = 0; i < attrs.length; i++) {
            byName[attrs[i].name] = attrs[i].index < 0 ? "invalid" : attrs[i].label;
        }
        for (i = 0; i < names.length; i++) {
            m = /^(.*\D)\d+$/.exec(names[i]);
            stem = m ? m[1] : "";
            if (group === null || stem !== group) {
                parts.push([]);
                group = stem;
            }
            parts[parts.length - 1].push(byName[names[i]] === undefined ? "-" : byName[names[i]]);
        }
        for (i = 0; i < parts.length; i++) {
            parts[i] = parts[i].join(" ");
        }
        return parts.join(" | ");
    }

    function invalidAttrs(attrs) {
        var out = [];
        var i;
        for (i = 0; i < attrs.length; i++) {
            if (attrs[i].index < 0) {
                out.push(attrs[i].name);
            }
        }
        return out;
    }

    // ------------------------------------------------------ outgoing messages

    function helloMessage(replyPort) {
        return [PROTOCOL.hello, replyPort];
    }

    // The engine's token (sentgen serve --token): sent before every hello
    // from the same [udpsend] socket, which authorises that socket.
    function authMessage(token) {
        return [PROTOCOL.auth, String(token)];
    }

    // A token as typed: any word without spaces; "" (or none) for an engine
    // without a token. null when it cannot be one.
    function checkToken(t) {
        var s = t === undefined || t === null ? "" : String(t);
        if (/\s/.test(s) || s.length > 256) {
            return null;
        }
        return s;
    }

    function helloCheckMessage(replyPort) {
        return [PROTOCOL.helloCheck, replyPort];
    }

    function checkPort(p) {
        var n = toNum(p);
        if (!isInt(n) || n < 1 || n > 65535) {
            return null;
        }
        return n;
    }

    function checkHost(h) {
        var s = h === undefined || h === null ? "" : String(h);
        if (!/^[A-Za-z0-9][A-Za-z0-9.\-]*$/.test(s) || s.length > 253) {
            return null;
        }
        return s;
    }

    // --------------------------------------------------- the echo of a load

    // The engine answers /sentgen/clip/set and /sentgen/hello with its state.
    // That answer must not be written back over the user's clip (loading
    // never rewrites the user's notes). The guard remembers that such an
    // answer is expected and for how long.
    function EchoGuard(windowMs) {
        this.windowMs = windowMs || ECHO_WINDOW_MS;
        this.pending = [];
    }
    EchoGuard.prototype.expect = function (now) {
        this.pending.push(now + this.windowMs);
    };
    EchoGuard.prototype.consume = function (now) {
        while (this.pending.length && this.pending[0] < now) {
            this.pending.shift();
        }
        if (this.pending.length) {
            this.pending.shift();
            return true;
        }
        return false;
    };
    EchoGuard.prototype.clear = function () {
        this.pending = [];
    };

    // ------------------------------------------------------ the connection

    // Host, ports, registration and keep-alive, shared by the device and
    // the MIDI Tool. io: {send(msg), recv(msg), status(text), now()} where
    // send goes to [udpsend] and recv to [udpreceive].
    function Connection(io, replyPort) {
        this.io = io;
        this.host = DEFAULTS.host;
        this.port = DEFAULTS.port;
        this.replyPort = replyPort || DEFAULTS.replyPort;
        this.token = "";     // the engine's token, if it has one
        this.started = false;
        this.connected = false;
        this.unanswered = 0;
        this.helloEcho = new EchoGuard(ECHO_WINDOW_MS);
    }
    Connection.prototype.where = function () {
        return this.host + ":" + this.port;
    };
    Connection.prototype.start = function () {
        this.started = true;
        this.io.send(["host", this.host]);
        this.io.send(["port", this.port]);
        this.io.recv(["port", this.replyPort]);
        this.hello();
        this.io.status("Connecting to the engine at " + this.where() + " (replies on port " +
            this.replyPort + ")...");
    };
    Connection.prototype.hello = function () {
        if (!this.started) {
            return;
        }
        this.helloEcho.expect(this.io.now());
        this.unanswered = 0;
        if (this.token) {
            this.io.send(authMessage(this.token));
        }
        this.io.send(helloMessage(this.replyPort));
    };
    // Call every few seconds: ask the engine whether it still knows our reply
    // port (/sentgen/hello/check; a quickly restarted engine answers but has
    // forgotten its clients, see onRegistered) and ping it. After two ticks
    // without any answer (engine not started yet, stopped, or restarted and
    // forgot us) say so and register again.
    //
    // Why the ping stays: the engine answers /sentgen/hello/check to the
    // sender only, and in Max the sender is [udpsend], whose socket has an
    // OS-chosen port that nobody listens on; only [udpreceive] (the reply
    // port) hears the engine. So the device may never hear
    // /sentgen/registered. The pong goes to the registered clients, so
    // hearing it on the reply port proves we are registered; a forgetful
    // engine's pong goes to [udpsend] instead, and the no-answer path
    // registers again. Without the ping a registered device that cannot hear
    // /sentgen/registered would report "Lost the engine" every few seconds.
    Connection.prototype.tick = function () {
        if (!this.started) {
            return;
        }
        if (this.unanswered >= 2) {
            this.io.status((this.connected ? "Lost the engine at " : "No answer from the engine at ") +
                this.where() + ". Start it with `sentgen serve` (default port " + DEFAULTS.port +
                "). Retrying...");
            this.connected = false;
            this.hello();
            this.unanswered = 1;
            return;
        }
        this.unanswered += 1;
        this.io.send(helloCheckMessage(this.replyPort));
        this.io.send([PROTOCOL.ping]);
    };
    // /sentgen/registered <reply_port> <0|1>, parsed (parseIncoming): any
    // answer shows the engine is alive; 0 means it restarted and forgot us,
    // so register again (its state comes back as a hello echo, which never
    // overwrites the user's clip). An answer about another port (one we
    // listened on before a reply port change) or a malformed one is ignored.
    Connection.prototype.onRegistered = function (m) {
        if (!this.started || !m.ok || m.replyPort !== this.replyPort) {
            return;
        }
        this.unanswered = 0;
        if (!m.registered) {
            this.io.status("The engine at " + this.where() + " restarted and forgot this device. Registering again...");
            this.connected = false;  // the pong that answers the hello says "Connected"
            this.hello();
        }
    };
    Connection.prototype.onPong = function (m) {
        this.unanswered = 0;
        if (!this.connected) {
            this.connected = true;
            this.io.status("Connected to " + this.where() + ": protocol " + m.version + ", model " +
                m.model + " on " + m.device + ".");
        }
    };
    // A checked setting (ok is null when the check failed): store it under
    // key, pass it on (send: to [udpsend], recv: to [udpreceive]) and
    // register again.
    Connection.prototype.change = function (key, ok, refused, via, message, done) {
        if (ok === null) {
            this.io.status(refused);
            return false;
        }
        this[key] = ok;
        this.io[via]([message, ok]);
        this.connected = false;
        this.hello();
        this.io.status(done === undefined ? "Engine address set to " + this.where() + "." : done);
        return true;
    };
    Connection.prototype.setHost = function (h) {
        return this.change("host", checkHost(h),
            "Engine host must be a host name or an IP address like 127.0.0.1.", "send", "host");
    };
    Connection.prototype.setPort = function (p) {
        return this.change("port", checkPort(p),
            "Engine port must be a whole number from 1 to 65535.", "send", "port");
    };
    // The token is never shown in the status (nor sent anywhere but the engine).
    Connection.prototype.setToken = function (t) {
        var ok = checkToken(t);
        if (ok === null) {
            this.io.status("Token must be one word without spaces (at most 256 characters).");
            return false;
        }
        this.token = ok;
        this.connected = false;
        this.hello();
        this.io.status(ok ? "Token set: registering again." : "Token cleared.");
        return true;
    };
    Connection.prototype.setReplyPort = function (p) {
        var ok = checkPort(p);
        return this.change("replyPort", ok, "Reply port must be a whole number from 1 to 65535.",
            "recv", "port", "Listening for the engine on port " + ok + ".");
    };

    // --------------------------------------------------------- the knob state

    // What the device and the MIDI Tool know about the knobs: the table
    // (the fallback until /sentgen/knobs arrives), the engine's protocol
    // version, the latest /sentgen/attrs rows and where each dial stands
    // (0..1; a dial of a knob with count values means index
    // round(v * (count - 1))).
    // word: what a slot is called in messages ("Dial", the MIDI Tool's "Menu").
    function KnobState(word) {
        var i;
        this.word = word || "Dial";
        this.table = new KnobTable(fallbackKnobs(), false);
        this.version = null;   // from /sentgen/pong; null before the first one
        this.rows = null;      // latest /sentgen/attrs rows (labels from the table)
        this.matched = false;  // those rows are the table's knobs
        this.dials = [];
        for (i = 0; i < DIALS; i++) {
            this.dials.push(0);
        }
    }

    // /sentgen/pong's protocol version; connecting: the first pong after a
    // hello. A protocol-2 engine is asked for its knobs once per connection
    // while the table is still the fallback (request; the engine also sends
    // them by itself, and attributes of unknown knobs ask again, see match);
    // a protocol-1 engine has the fallback's knobs (reset: the table went
    // back to it).
    KnobState.prototype.onVersion = function (version, connecting) {
        var v = parseFloat(String(version));
        this.version = isNaN(v) ? 1 : v;
        if (this.version >= 2) {
            return {request: !!connecting && !this.table.fromEngine, reset: false};
        }
        if (this.table.fromEngine) {
            this.table = new KnobTable(fallbackKnobs(), false);
            this.rematch();
            return {request: false, reset: true};
        }
        return {request: false, reset: false};
    };

    // /sentgen/knobs (parsed): the new table; the latest rows are matched
    // to it again. {changed: the knobs differ from the ones shown (the same
    // table again, sent after every hello, changes nothing), warning: knobs
    // beyond the dials ("" if none)}.
    KnobState.prototype.setKnobs = function (knobs) {
        var changed = JSON.stringify(knobs) !== JSON.stringify(this.table.knobs);
        this.table = new KnobTable(knobs, true);
        if (changed) {
            this.rematch();
        }
        return {changed: changed, warning: this.warning()};
    };

    KnobState.prototype.titles = function () {
        var out = [];
        var i;
        for (i = 0; i < this.table.knobs.length; i++) {
            out.push(this.table.knobs[i].title);
        }
        return out;
    };

    KnobState.prototype.warning = function () {
        var hidden = this.table.hidden();
        var names = [];
        var i;
        if (!hidden.length) {
            return "";
        }
        for (i = 0; i < hidden.length; i++) {
            names.push(hidden[i].name);
        }
        return "This model has " + this.table.knobs.length + " knobs but the device has " + DIALS +
            " dials: " + names.join(", ") + " have no dial (use the panel to move them).";
    };

    // Rows -> {ok, error, matched, request, feedback: [{n, index, value, label}]}.
    // Rows are matched to knobs by name. Names the table does not have mean
    // the table is stale (a protocol-2 engine sends a new model's attributes
    // before its knobs): nothing moves and the knobs are asked for again. A
    // protocol-1 engine has no other knobs, so for it they are an error.
    KnobState.prototype.match = function (rows) {
        var out = {ok: true, error: "", matched: true, request: false, feedback: [], rows: []};
        var unknown = [];
        var i, k, pos, row, idx;
        for (i = 0; i < rows.length; i++) {
            if (this.table.position(rows[i].name) < 0) {
                unknown.push(rows[i].name);
            }
        }
        if (unknown.length) {
            if (this.version !== null && this.version < 2) {
                return {ok: false, error: "/sentgen/attrs: unknown knob " + unknown.join(", "), matched: false,
                    request: false, feedback: [], rows: []};
            }
            out.matched = false;
            out.request = this.version !== null;
            out.rows = rows;
            return out;
        }
        for (i = 0; i < rows.length; i++) {
            row = rows[i];
            pos = this.table.position(row.name);
            k = this.table.knobs[pos];
            idx = row.index;
            if (idx >= k.count) {
                return {ok: false, error: "/sentgen/attrs: " + row.name + " index " + idx + " out of range (" +
                    k.count + " values)", matched: false, request: false, feedback: [], rows: []};
            }
            out.rows.push({name: row.name, index: idx, label: idx < 0 ? "invalid" : k.labels[idx], value: row.value});
            if (idx >= 0 && pos < DIALS) {
                out.feedback.push({n: pos + 1, index: idx, value: k.count > 1 ? idx / (k.count - 1) : 0,
                    label: k.labels[idx]});
            }
        }
        return out;
    };

    // /sentgen/attrs (parsed rows): remembered and matched; the dials of the
    // valid knobs move to the engine's reading. An error keeps what was there.
    KnobState.prototype.setAttrs = function (rows) {
        var r = this.match(rows);
        var i;
        if (!r.ok) {
            return r;
        }
        this.rows = r.rows;
        this.matched = r.matched;
        for (i = 0; i < r.feedback.length; i++) {
            this.dials[r.feedback[i].n - 1] = r.feedback[i].value;
        }
        return r;
    };

    KnobState.prototype.rematch = function () {
        var r;
        if (this.rows === null) {
            return;
        }
        r = this.setAttrs(this.rows);
        if (!r.ok) {
            this.matched = false;
        }
    };

    // The bank as it should look: for each dial 1..DIALS {n, knob (null when
    // unused), active, title, index, value, label}.
    KnobState.prototype.view = function () {
        var out = [];
        var n, k, idx;
        for (n = 1; n <= DIALS; n++) {
            k = this.table.slot(n);
            if (!k) {
                out.push({n: n, knob: null, active: 0, title: "", index: -1, value: this.dials[n - 1], label: ""});
            } else {
                idx = Math.round(this.dials[n - 1] * (k.count - 1));
                out.push({n: n, knob: k, active: 1, title: k.title, index: idx, value: this.dials[n - 1],
                    label: k.labels[idx]});
            }
        }
        return out;
    };

    // A dial moved to v (0..1): {ok, status, knob, index, label, message}.
    // message is null when the dial stays on the same value (a dial sends
    // many positions per step); an unused dial sends nothing.
    KnobState.prototype.turn = function (n, v) {
        var k = this.table.slot(n);
        var x = toNum(v);
        var old, idx;
        if (!k) {
            return {ok: false, message: null, status: isInt(toNum(n)) && toNum(n) >= 1 && toNum(n) <= DIALS ?
                this.word + " " + n + " is not used by this model (it has " + this.table.knobs.length + " knobs)." :
                "Unknown " + this.word.toLowerCase() + " " + n + "."};
        }
        if (isNaN(x)) {
            return {ok: false, message: null, status: this.word + " " + n + ": " + v + " is not a number."};
        }
        x = Math.max(0, Math.min(1, x));
        old = Math.round(this.dials[n - 1] * (k.count - 1));
        idx = Math.round(x * (k.count - 1));
        this.dials[n - 1] = x;
        return {ok: true, status: "", knob: k, index: idx, label: k.labels[idx],
            message: idx === old ? null : this.table.setMessage(k.name, idx)};
    };

    // A knob by name and index ("attr <name> <index>", or menu n's index
    // through pick): {ok, status, message}; its dial follows.
    KnobState.prototype.setByName = function (name, index) {
        var msg = this.table.setMessage(name, index);
        var pos = this.table.position(name);
        if (msg === null) {
            return {ok: false, message: null, status: "Unknown knob " + name + " " + index + "."};
        }
        if (pos >= 0 && pos < DIALS) {
            this.dials[pos] = msg[2];
        }
        return {ok: true, message: msg, status: ""};
    };

    KnobState.prototype.pick = function (n, index) {
        var k = this.table.slot(n);
        if (!k) {
            return this.turn(n, 0);
        }
        return this.setByName(k.name, index);
    };

    // The summary line: the table's knobs in order (or the rows' own order
    // while the table is stale), then the knobs the clip does not define.
    KnobState.prototype.summary = function () {
        var names = [];
        var bad, i;
        if (this.rows === null) {
            return "";
        }
        if (this.matched) {
            names = this.table.names();
        } else {
            for (i = 0; i < this.rows.length; i++) {
                names.push(this.rows[i].name);
            }
        }
        bad = invalidAttrs(this.rows);
        return formatAttrs(this.rows, names) + (bad.length ? "  (no valid " + bad.join(", ") + ")" : "");
    };

    // ------------------------------------------------------------ Max glue

    // Pieces of the [js] glue that the device and the MIDI Tool share. The
    // Max globals they need come in as parameters, so node tests them too.

    // The Connection of a [js]: jsthis is the script's `this` (its outlet()
    // sends OSC out of outlet udpOut to [udpsend] and ports out of recvOut
    // to [udpreceive]); status(text) and now() are the script's own.
    function maxConnection(jsthis, udpOut, recvOut, status, now, replyPort) {
        return new Connection({
            send: function (m) { jsthis.outlet(udpOut, m); },
            recv: function (m) { jsthis.outlet(recvOut, m); },
            status: function (t) { status(t); },
            now: function () { return now(); }
        }, replyPort);
    }

    // The "init" of a [js] (Live is ready): register with the engine, then
    // let the repeating Max Task keepalive (running link.tick) check on it.
    function startConnection(link, keepalive) {
        link.start();
        keepalive.cancel();
        keepalive.repeat();
    }

    // The optional object box arguments, [js <file> <host> <port> <replyport> <token>]
    // as Max's jsarguments (file name first; null when there are none), into
    // the Connection before it starts. Invalid ones are ignored.
    function readArguments(link, args) {
        var h, p, r, t;
        if (!args) {
            return;
        }
        h = args.length > 1 ? checkHost(args[1]) : null;
        p = args.length > 2 ? checkPort(args[2]) : null;
        r = args.length > 3 ? checkPort(args[3]) : null;
        t = args.length > 4 ? checkToken(args[4]) : null;
        if (t) {
            link.token = t;
        }
        if (h) {
            link.host = h;
        }
        if (p) {
            link.port = p;
        }
        if (r) {
            link.replyPort = r;
        }
    }

    // The word a [textedit] means ("sethost 127.0.0.1", "sethost text 127.0.0.1").
    function lastArg(args) {
        var i;
        for (i = args.length - 1; i >= 0; i--) {
            if (args[i] !== "text" && args[i] !== "set" && args[i] !== "") {
                return args[i];
            }
        }
        return undefined;
    }

    // live.numbox values (Float parameters shown as Int) -> whole numbers.
    function numboxValue(p) {
        return typeof p === "number" ? Math.round(p) : p;
    }

    // A live.text button sends 1 when pressed and 0 when released: a
    // release (first argument 0) does nothing.
    function isRelease(args) {
        return args.length > 0 && args[0] === 0;
    }

    // Controls are refused until the device has loaded (status says why).
    function refuseIfNotReady(ready, what, status) {
        if (!ready) {
            status("Not ready yet (" + what + " refused): waiting for the device to finish loading.");
            return true;
        }
        return false;
    }

    // The engine's /sentgen/attrs on a surface (the device's dials, the MIDI
    // Tool's menus): `m` is parseIncoming's attrs message; its rows are matched
    // to the knobs by name (knobs.setAttrs). A bad reply is said on `status`
    // and changes nothing; attributes of knobs we do not know (a new model)
    // make it ask for the knobs (`send`); `show(feedback)` is called for each
    // knob that follows ({n, index, value, label}). Returns true when applied.
    function applyAttrs(m, knobs, send, status, show) {
        var r, i;
        if (!m.ok) {
            status("Engine sent bad attributes: " + m.error);
            return false;
        }
        r = knobs.setAttrs(m.attrs);
        if (!r.ok) {
            status("Engine sent bad attributes: " + r.error);
            return false;
        }
        if (r.request) {
            send([PROTOCOL.knobsGet]);
        }
        for (i = 0; i < r.feedback.length; i++) {
            show(r.feedback[i]);
        }
        return true;
    }

    // ------------------------------------------------- the MIDI Tool's logic

    // The time window a MIDI Tool works on: the clip's time selection, cut to
    // the engine's 2 bars; the whole 2 bars when there is no selection.
    function toolWindow(context) {
        var clip = context && context.clip ? context.clip : null;
        var a = clip ? toNum(clip.time_selection_start) : NaN;
        var b = clip ? toNum(clip.time_selection_end) : NaN;
        if (isNaN(a) || isNaN(b) || b <= a) {
            return [0, CLIP_BEATS];
        }
        return [Math.max(0, a), Math.min(CLIP_BEATS, b)];
    }

    // Transform the selected notes from the engine's latest clip,
    // synchronously: selected notes that start inside the window are replaced
    // by the engine's notes that start inside it; the other selected notes
    // (past bar 2, outside the time selection) are passed on unchanged with
    // their note_id. Engine notes keep the engine's velocity and mute.
    //   {notes, replaced, added, kept, window}
    function transformSelection(selected, context, engineNotes) {
        var win = toolWindow(context);
        var out = [];
        var res = {notes: out, replaced: 0, added: 0, kept: 0, window: win};
        var i, n, t;
        var input = notesArrayOf(selected) || [];
        for (i = 0; i < input.length; i++) {
            n = input[i];
            t = n ? toNum(n.start_time) : NaN;
            if (!isNaN(t) && t >= win[0] - EPS && t < win[1] - EPS) {
                res.replaced += 1;
            } else {
                out.push(n);
                res.kept += 1;
            }
        }
        for (i = 0; i < engineNotes.length; i++) {
            n = engineNotes[i];
            if (n.start_time >= win[0] - EPS && n.start_time < win[1] - EPS) {
                out.push(toLiveNote(n));
                res.added += 1;
            }
        }
        return res;
    }

    return {
        PROTOCOL: PROTOCOL,
        DEFAULTS: DEFAULTS,
        CLIP_BEATS: CLIP_BEATS,
        ECHO_WINDOW_MS: ECHO_WINDOW_MS,
        ATTR_NAMES: ATTR_NAMES,
        ATTR_SHORT: ATTR_SHORT,
        ATTR_LABELS: ATTR_LABELS,
        TONIC_LABELS: TONIC_LABELS,
        OCTAVE_LABELS: OCTAVE_LABELS,
        SCALE_LABELS: SCALE_LABELS,
        RHYTHM_LABELS: RHYTHM_LABELS,
        ARP_LABELS: ARP_LABELS,
        DIALS: DIALS,
        fallbackKnobs: fallbackKnobs,
        KnobTable: KnobTable,
        KnobState: KnobState,
        parseKnobsArgs: parseKnobsArgs,
        notesArrayOf: notesArrayOf,
        readLiveNotes: readLiveNotes,
        notesToFlat: notesToFlat,
        prepareClipSet: prepareClipSet,
        toLiveNote: toLiveNote,
        notesToLiveDict: notesToLiveDict,
        sameNotes: sameNotes,
        parseClipArgs: parseClipArgs,
        parseAttrsArgs: parseAttrsArgs,
        parseIncoming: parseIncoming,
        formatAttrs: formatAttrs,
        invalidAttrs: invalidAttrs,
        helloMessage: helloMessage,
        helloCheckMessage: helloCheckMessage,
        authMessage: authMessage,
        checkToken: checkToken,
        checkPort: checkPort,
        checkHost: checkHost,
        EchoGuard: EchoGuard,
        Connection: Connection,
        KEEPALIVE_MS: KEEPALIVE_MS,
        maxConnection: maxConnection,
        startConnection: startConnection,
        readArguments: readArguments,
        lastArg: lastArg,
        numboxValue: numboxValue,
        isRelease: isRelease,
        refuseIfNotReady: refuseIfNotReady,
        applyAttrs: applyAttrs,
        toolWindow: toolWindow,
        transformSelection: transformSelection
    };
}());

// CommonJS export for Max's require() and for node.
if (typeof exports !== "undefined" && exports !== null) {
    (function () {
        var k;
        for (k in sentgen) {
            if (Object.prototype.hasOwnProperty.call(sentgen, k)) {
                exports[k] = sentgen[k];
            }
        }
    }());
}
