// fake_max.js - a small stand-in for Max's [js] environment and Live's
// LiveAPI, for the node tests (not loaded by Max).
//
// loadMaxScript(file, options) runs a Max js file in a fresh VM context the
// way [js] does: top-level functions become message handlers, `outlet`,
// `post`, `messagename`, `inlet`, `arrayfromargs`, `Task`, `Dict`, `LiveAPI`
// and `require` are provided. The fake Live records every call and checks
// the argument formats that Live documents; LiveAPI refuses to work before
// the harness says the device has loaded (as in Live: not in global code).
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const HERE = __dirname;
const NOTE_KEYS = ["pitch", "start_time", "duration", "velocity", "mute",
    "probability", "velocity_deviation", "release_velocity"];

// ------------------------------------------------------------------ Live

class FakeClip {
    constructor(id, opts = {}) {
        this.id = id;
        this.name = opts.name === undefined ? "Clip " + id : opts.name;
        this.is_midi_clip = opts.audio ? 0 : 1;
        this.length = opts.length === undefined ? 8 : opts.length;
        this.nextNoteId = 1;
        this.notes = [];
        (opts.notes || []).forEach((n) => this.addNote(n));
    }

    addNote(n) {
        this.notes.push(Object.assign({
            note_id: this.nextNoteId++, probability: 1, velocity_deviation: 0, release_velocity: 64,
            mute: 0, velocity: 100
        }, n));
    }
}

class FakeLive {
    constructor() {
        this.objects = new Map();   // id -> FakeClip
        this.detailClip = 0;        // id of the clip in the Detail View, 0 = none
        this.loaded = false;        // live.thisdevice has banged
        this.calls = [];            // {id, fn, args, inTask}
        this.violations = [];       // format errors, forbidden calls
        this.inTask = false;
        this.nextId = 1;
    }

    addClip(opts) {
        const clip = new FakeClip(this.nextId++, opts);
        this.objects.set(clip.id, clip);
        return clip;
    }

    select(clip) {
        this.detailClip = clip ? clip.id : 0;
    }

    violation(text) {
        this.violations.push(text);
        throw new Error(text);
    }

    resolve(p) {
        if (p === "live_set view detail_clip") {
            return this.detailClip;
        }
        const m = /^id (\d+)$/.exec(String(p));
        if (m) {
            return this.objects.has(Number(m[1])) ? Number(m[1]) : 0;
        }
        this.violation("unexpected LiveAPI path " + p);
        return 0;
    }

    get(id, prop) {
        const clip = this.objects.get(id);
        if (!clip) {
            return [0];
        }
        if (!(prop in clip)) {
            this.violation("unknown clip property " + prop);
        }
        return [clip[prop]];
    }

    checkRange(fn, args) {
        if (args.length !== 4 || !args.every((a) => typeof a === "number" && Number.isFinite(a))) {
            this.violation(fn + " takes from_pitch, pitch_span, from_time, time_span; got " + JSON.stringify(args));
        }
        const [fp, ps, ft, ts] = args;
        if (!Number.isInteger(fp) || !Number.isInteger(ps) || fp < 0 || ps < 1 || fp + ps > 128 || ft < 0 || ts <= 0) {
            this.violation(fn + " range out of bounds: " + JSON.stringify(args));
        }
        return (n) => n.pitch >= fp && n.pitch < fp + ps && n.start_time >= ft && n.start_time < ft + ts;
    }

    checkNewNotes(dict) {
        if (!dict || typeof dict !== "object" || !Array.isArray(dict.notes)) {
            this.violation("add_new_notes needs a dictionary {notes: [...]}, got " + JSON.stringify(dict));
        }
        dict.notes.forEach((n, i) => {
            const where = "add_new_notes note " + i + " " + JSON.stringify(n) + ": ";
            Object.keys(n).forEach((k) => {
                if (!NOTE_KEYS.includes(k)) {
                    this.violation(where + "unexpected key " + k);
                }
            });
            if (!Number.isInteger(n.pitch) || n.pitch < 0 || n.pitch > 127) this.violation(where + "pitch");
            if (typeof n.start_time !== "number" || !(n.start_time >= 0)) this.violation(where + "start_time");
            if (typeof n.duration !== "number" || !(n.duration > 0)) this.violation(where + "duration");
            if (n.velocity !== undefined && (typeof n.velocity !== "number" || n.velocity < 0 || n.velocity > 127)) {
                this.violation(where + "velocity");
            }
            if (n.mute !== undefined && ![0, 1, true, false].includes(n.mute)) this.violation(where + "mute");
        });
    }

    call(id, fn, args) {
        this.calls.push({id, fn, args: JSON.parse(JSON.stringify(args)), inTask: this.inTask});
        const clip = this.objects.get(id);
        if (!clip) {
            this.violation("call " + fn + " on missing object " + id);
        }
        switch (fn) {
        case "get_notes_extended": {
            const keep = this.checkRange(fn, args);
            return JSON.stringify({notes: clip.notes.filter(keep)});
        }
        case "remove_notes_extended": {
            const drop = this.checkRange(fn, args);
            clip.notes = clip.notes.filter((n) => !drop(n));
            return null;
        }
        case "add_new_notes": {
            this.checkNewNotes(args[0]);
            args[0].notes.forEach((n) => clip.addNote(JSON.parse(JSON.stringify(n))));
            return null;
        }
        default:
            // get_notes/set_notes are deprecated; deleting or recreating clips is forbidden
            this.violation("forbidden or unexpected clip call " + fn);
            return null;
        }
    }

    writeCalls() {
        return this.calls.filter((c) => c.fn === "remove_notes_extended" || c.fn === "add_new_notes");
    }
}

function makeLiveAPI(live) {
    return function LiveAPI(callback, p) {
        if (!live.loaded) {
            live.violation("LiveAPI used before live.thisdevice banged");
        }
        const id = live.resolve(p);
        this.id = String(id);
        this.path = p;
        this.get = (prop) => live.get(id, prop);
        this.call = (fn, ...args) => live.call(id, fn, args);
    };
}

// ------------------------------------------------------------------- Max

function makeTaskClass(max) {
    return class Task {
        constructor(fn, thisArg, args) {
            this.fn = fn;
            this.thisArg = thisArg;
            this.args = args || [];
            this.interval = 0;
            this.scheduled = false;
            this.repeating = false;
            max.tasks.push(this);
        }
        schedule() { this.scheduled = true; }
        repeat() { this.repeating = true; }
        cancel() { this.scheduled = false; this.repeating = false; }
        execute() { this.fn.apply(this.thisArg, this.args); }
    };
}

function makeDictClass(max) {
    return class Dict {
        constructor(name) {
            if (name === undefined) {
                name = "u" + (++max.dictCounter);
            }
            this.name = name;
            if (!max.dicts.has(name)) {
                max.dicts.set(name, {});
            }
        }
        stringify() { return JSON.stringify(max.dicts.get(this.name)); }
        parse(text) { max.dicts.set(this.name, JSON.parse(text)); }
    };
}

// Load a Max js file. Returns a harness with send(), outputs, live, tasks.
function loadMaxScript(file, options = {}) {
    const live = options.live || new FakeLive();
    const max = {
        outputs: [],            // [outlet, ...atoms]
        posts: [],
        tasks: [],
        dicts: new Map(),
        dictCounter: 0,
        clock: 1000000,
        live
    };
    const core = require(path.join(HERE, "sentgen_core.js"));
    const sandbox = {
        post: (...a) => max.posts.push(a.join(" ")),
        error: (...a) => max.posts.push("error: " + a.join(" ")),
        outlet: (n, ...a) => {
            const flat = a.length === 1 && Array.isArray(a[0]) ? a[0] : a;
            max.outputs.push([n].concat(JSON.parse(JSON.stringify(flat))));
        },
        setinletassist: () => {},
        setoutletassist: () => {},
        arrayfromargs: (args) => Array.prototype.slice.call(args),
        messagename: "",
        inlet: 0,
        jsarguments: [path.basename(file)].concat(options.args || []),
        require: (name) => {
            if (name === "sentgen_core") {
                return core;
            }
            throw new Error("Max require: no module " + name);
        },
        Task: makeTaskClass(max),
        Dict: makeDictClass(max),
        LiveAPI: makeLiveAPI(live),
        Date: {now: () => max.clock},
        JSON, Math, Number, String, Array, Object, Error, isFinite, isNaN
    };
    vm.createContext(sandbox);
    vm.runInContext(fs.readFileSync(file, "utf8"), sandbox, {filename: file});

    const h = {
        max, live, sandbox, core,
        // Send a Max message to inlet `inletIndex` (like [js] dispatch).
        sendTo(inletIndex, selector, ...args) {
            sandbox.messagename = selector;
            sandbox.inlet = inletIndex;
            const fn = sandbox[selector];
            if (typeof fn === "function" && !fn.local && selector.charAt(0) !== "/") {
                return fn.apply(sandbox, args);
            }
            if (typeof sandbox.anything === "function") {
                return sandbox.anything.apply(sandbox, args);
            }
            throw new Error("no handler for " + selector);
        },
        send(selector, ...args) { return h.sendTo(0, selector, ...args); },
        // live.thisdevice bangs -> [deferlow] -> "init"
        boot() { live.loaded = true; h.send("init"); },
        advance(ms) { max.clock += ms; },
        // Run the scheduled one-shot tasks (as Max's low-priority queue would).
        flushTasks() {
            let ran = 0;
            for (const t of max.tasks) {
                if (t.scheduled) {
                    t.scheduled = false;
                    live.inTask = true;
                    try { t.execute(); } finally { live.inTask = false; }
                    ran += 1;
                }
            }
            return ran;
        },
        tickRepeating() {
            for (const t of max.tasks) {
                if (t.repeating) t.execute();
            }
        },
        out(n) { return max.outputs.filter((o) => o[0] === n).map((o) => o.slice(1)); },
        osc(n = 0) { return h.out(n).filter((o) => typeof o[0] === "string" && o[0].charAt(0) === "/"); },
        clearOutputs() { max.outputs.length = 0; },
        dict(name) { return max.dicts.get(name); },
        putDict(obj) {
            const name = "in" + (++max.dictCounter);
            max.dicts.set(name, JSON.parse(JSON.stringify(obj)));
            return name;
        }
    };
    return h;
}

// OSC message as [udpreceive] prints it: address then atoms.
function flatClip(notes) {
    const out = [];
    notes.forEach((n) => out.push(n.pitch, n.start_time, n.duration, n.velocity, n.mute ? 1 : 0));
    return out;
}

module.exports = {FakeLive, FakeClip, loadMaxScript, flatClip, HERE};
