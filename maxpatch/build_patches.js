#!/usr/bin/env node
// build_patches.js - writes the two Max patchers from a readable description,
// so the .maxpat JSON can be reviewed and regenerated without Max.
// (Runs under node only; Max never loads this file.)
//
//   node maxpatch/build_patches.js            rewrite sentgen.maxpat and sentgen_miditool.maxpat
//   node maxpatch/build_patches.js --check    exit 1 when the .maxpat files are out of date
//   node maxpatch/build_patches.js --amxd DIR also write SentGen.amxd and
//        "SentGen MIDI Tool.amxd" (+ the .js files) into DIR, for dropping into
//        Live's User Library without going through Max (see docs/live.md)
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const core = require("./sentgen_core.js");

const HERE = __dirname;
const DEVICE_FILE = "sentgen.maxpat";
const TOOL_FILE = "sentgen_miditool.maxpat";
const JS_FILES = ["sentgen_core.js", "sentgen_device.js", "sentgen_miditool.js"];

// .amxd device types (4-char codes in the file header, and as an integer in
// the patcher's project.amxdtype).
const AMXD_TYPES = {midi_effect: "mmmm", midi_transformation: "natt"};

function fourcc(code) {
    return Buffer.from(code, "latin1").readUInt32BE(0);
}

class Patch {
    constructor() {
        this.boxes = [];
        this.lines = [];
        this.n = 0;
    }

    add(box) {
        const id = "obj-" + (++this.n);
        this.boxes.push({box: Object.assign({id}, box)});
        return id;
    }

    obj(text, x, y, inlets, outlets, extra = {}) {
        const width = Math.max(40, 10 + 6.2 * text.length);
        return this.add(Object.assign({
            maxclass: "newobj", text,
            numinlets: inlets, numoutlets: outlets, outlettype: Array(outlets).fill(""),
            patching_rect: [x, y, width, 22]
        }, extra));
    }

    msg(text, x, y) {
        return this.add({maxclass: "message", text, numinlets: 2, numoutlets: 1, outlettype: [""],
            patching_rect: [x, y, Math.max(34, 14 + 6.2 * text.length), 22]});
    }

    comment(text, x, y, w, h, pres, extra = {}) {
        const box = Object.assign({maxclass: "comment", text, numinlets: 1, numoutlets: 0,
            patching_rect: [x, y, w, h]}, extra);
        if (pres) {
            box.presentation = 1;
            box.presentation_rect = pres;
        }
        return this.add(box);
    }

    connect(src, outlet, dst, inlet = 0) {
        this.lines.push({patchline: {source: [src, outlet], destination: [dst, inlet]}});
    }
}

function parameter(longname, shortname, type, initial, more = {}) {
    return {valueof: Object.assign({
        parameter_longname: longname,
        parameter_shortname: shortname,
        parameter_type: type,           // 0 float, 1 int, 2 enum
        parameter_initial_enable: 1,
        parameter_initial: [initial]
    }, more)};
}

function enumParameter(longname, shortname, labels, initial, more = {}) {
    return parameter(longname, shortname, 2, initial,
        Object.assign({parameter_enum: labels.slice(), parameter_mmax: labels.length - 1}, more));
}

// A live.text button that sends one word to the js.
function button(p, js, label, word, x, y, pres, help) {
    const b = p.add({
        maxclass: "live.text", varname: word, text: label, texton: label, mode: 0,
        numinlets: 1, numoutlets: 2, outlettype: ["", ""], parameter_enable: 1,
        annotation: help, annotation_name: label,
        patching_rect: [x, y, pres[2], pres[3]], presentation: 1, presentation_rect: pres,
        saved_attribute_attributes: enumParameter("sentgen " + word, label, ["off", "on"], 0,
            {parameter_invisible: 2})   // hidden: neither automated nor stored
    });
    const m = p.msg(word, x, y + 30);
    p.connect(b, 0, m);
    p.connect(m, 0, js);
    return b;
}

// box -> [prepend word] (at x, y) -> js
function prependTo(p, box, word, x, y, js) {
    const pre = p.obj("prepend " + word, x, y, 1, 1);
    p.connect(box, 0, pre);
    p.connect(pre, 0, js);
    return pre;
}

// An engine port field that sends "<word> <port>" to the js. Live's native
// int parameters hold only 0-255, so it is a Float parameter shown with the
// Int unit style, stored with the Set (parameter_invisible 1 = stored only,
// not automatable).
function portBox(p, js, varname, word, x, pres, o) {
    const box = p.add({
        maxclass: "live.numbox", varname, numinlets: 1, numoutlets: 2, outlettype: ["", "float"],
        parameter_enable: 1, fontsize: 9,
        annotation: o.help, annotation_name: o.name,
        patching_rect: [x, 240, 48, 16], presentation: 1, presentation_rect: pres,
        saved_attribute_attributes: parameter(o.longname, o.shortname, 0, o.initial,
            {parameter_mmin: 1, parameter_mmax: 65535, parameter_invisible: 1, parameter_unitstyle: 0, parameter_steps: 65535})
    });
    prependTo(p, box, word, x, 280, js);
    return box;
}

// The fixed bank: dial (or menu) n of core.DIALS is knob n of the current
// model. The patch starts with the fallback (dMelodies) table; the js
// redraws it from /sentgen/knobs.
const SLOTS = Array.from({length: core.DIALS}, (_, i) => i + 1);
const FALLBACK = core.fallbackKnobs();

// [route 1 2 ... DIALS]: a js message "<n> <msg...>" to the object of slot n.
function slotRoute(p, x, y) {
    return p.obj("route " + SLOTS.join(" "), x, y, 2, core.DIALS + 1);
}

// Control (box) of slot n: its output goes to the js as "<word> <n> <value>"
// (through a [prepend] at x, preY); the js's messages for it come back
// through route (outlet n - 1), straight into the object ("set ...",
// "active 0", ...).
function slotControl(p, js, route, n, word, x, preY, box) {
    const ctrl = p.add(box);
    prependTo(p, ctrl, word + " " + n, x, preY, js);
    p.connect(route, n - 1, ctrl);
    return ctrl;
}

// Shared bottom of both patchers: status text (js -> statusPre ->
// statusText), init from live.thisdevice, engine link.
function wireCommon(p, js, outs, at, prefix, statusPre, statusText) {
    p.connect(js, outs.status, statusPre);
    p.connect(statusPre, 0, statusText);

    const thisdevice = p.obj("live.thisdevice", at.x, at.y, 1, 3, {outlettype: ["bang", "int", "int"]});
    const defer = p.obj("deferlow", at.x, at.y + 30, 1, 1);
    const init = p.msg("init", at.x, at.y + 60);
    p.connect(thisdevice, 0, defer);
    p.connect(defer, 0, init);
    p.connect(init, 0, js);

    const send = p.obj("udpsend " + core.DEFAULTS.host + " " + core.DEFAULTS.port, at.x + 120, at.y + 330, 1, 0);
    const recv = p.obj("udpreceive " + prefix.replyPort + " @defer 1", at.x + 120, at.y + 30, 1, 1);
    p.connect(recv, 0, js);
    p.connect(js, outs.udp, send);
    p.connect(js, outs.recv, recv);
    return {thisdevice, send, recv};
}

function patcher(p, opts) {
    return {
        patcher: {
            fileversion: 1,
            appversion: {major: 8, minor: 6, revision: 0, architecture: "x64", modernui: 1},
            classnamespace: "box",
            rect: [60, 80, 1180, 720],
            openrect: [0, 0, opts.width, opts.height],
            openinpresentation: 1,
            default_fontsize: 10,
            default_fontface: 0,
            default_fontname: "Arial Bold",
            gridonopen: 1,
            gridsize: [8, 8],
            gridsnaponopen: 1,
            objectsnaponopen: 1,
            statusbarvisible: 2,
            toolbarvisible: 1,
            devicewidth: opts.width,
            description: opts.description,
            digest: opts.digest,
            tags: "sentgen",
            style: "",
            subpatcher_template: "",
            boxes: p.boxes,
            lines: p.lines,
            dependency_cache: opts.deps.map((name) => ({
                name, bootpath: ".", patcherrelativepath: ".", type: "TEXT", implicit: 1
            })),
            latency: 0,
            is_mpe: 0,
            project: {
                version: 1, autoorganize: 1, hideprojectwindow: 1, showdependencies: 1, autolocalize: 0,
                contents: {patchers: {}, code: {}}, layout: {}, searchpath: {}, detailsvisible: 0,
                amxdtype: fourcc(opts.amxdType), readonly: 0, devpathtype: 0, devpath: ".",
                sortmode: 0, viewmode: 0, includepackages: 0
            },
            autosave: 0
        }
    };
}

// --------------------------------------------------------------- the device

function buildDevice() {
    const p = new Patch();
    const W = 4 + core.DIALS * 50, H = 169;
    const outs = {udp: 0, recv: 1, status: 2, attrs: 3, bank: 4};

    // MIDI passes straight through: the device edits clips, not live MIDI.
    const midiin = p.obj("midiin", 20, 20, 1, 1, {outlettype: ["int"]});
    const midiout = p.obj("midiout", 20, 60, 1, 0);
    p.connect(midiin, 0, midiout);
    p.comment("MIDI passes through unchanged", 80, 40, 180, 20);

    const js = p.obj("js sentgen_device.js", 420, 470, 1, 5,
        {saved_object_attributes: {filename: "sentgen_device.js", parameter_enable: 0}});

    // the bank: for each dial a title (comment), the dial (a 0..1 Float
    // parameter with a fixed name, so automation of dial n stays "knob n")
    // and its value label (comment). The js rewrites titles and labels and
    // sets dials inactive: "dial|title|label <n> <message>".
    const bank = p.obj("route dial title label", 420, 540, 2, 4);
    p.connect(js, outs.bank, bank);
    const routes = ["dial", "title", "label"].map((w, k) => {
        const r = slotRoute(p, 420 + k * 260, 570);
        p.connect(bank, k, r);
        return r;
    });
    SLOTS.forEach((n) => {
        const knob = FALLBACK[n - 1];
        const x = 20 + (n - 1) * 120;
        const x0 = 4 + (n - 1) * 50;
        const title = p.comment(knob ? knob.title : "", x, 100, 60, 16, [x0, 0, 48, 14],
            {varname: "title" + n, fontsize: 9, textjustification: 1});
        p.connect(routes[1], n - 1, title);
        slotControl(p, js, routes[0], n, "dial", x, 190, {
            maxclass: "live.dial", varname: "knob" + n,
            numinlets: 1, numoutlets: 2, outlettype: ["", "float"], parameter_enable: 1,
            annotation: "Knob " + n + " of the engine's current model: its name is above the dial, its value " +
                "below. Unused by the model when greyed out.",
            annotation_name: "Knob " + n,
            showname: 0, shownumber: 0, active: knob ? 1 : 0, fontsize: 9,
            patching_rect: [x, 120, 40, 30], presentation: 1, presentation_rect: [x0 + 6, 13, 36, 28],
            saved_attribute_attributes: parameter("Knob " + n, "Knob " + n, 0, 0,
                {parameter_mmin: 0, parameter_mmax: 1, parameter_unitstyle: 1, parameter_modmode: 0})
        });
        const label = p.comment(knob ? knob.labels[0] : "", x, 160, 60, 16, [x0, 41, 48, 14],
            {varname: "label" + n, fontsize: 9, textjustification: 1});
        p.connect(routes[2], n - 1, label);
    });

    // buttons
    button(p, js, "Read", "getclip", 20, 240, [4, 56, 40, 16],
        "Load the selected clip (its first 2 bars) into the engine, e.g. after editing notes by hand.");
    button(p, js, "Random", "random", 120, 240, [48, 56, 48, 16],
        "Ask the model for a new clip and write it into the selected clip.");
    button(p, js, "Undo", "undo", 220, 240, [100, 56, 40, 16], "Step back in the engine's edit history.");
    button(p, js, "Redo", "redo", 320, 240, [144, 56, 40, 16], "Step forward in the engine's edit history.");

    // engine host / ports
    p.comment("Engine", 440, 240, 44, 18, [190, 56, 38, 16]);
    const hostBox = p.add({
        maxclass: "textedit", varname: "host", text: core.DEFAULTS.host, lines: 1, fontsize: 9,
        numinlets: 1, numoutlets: 4, outlettype: ["", "int", "", ""], keymode: 1, wordwrap: 0,
        annotation: "Address of the machine running `sentgen serve` (press Return).", annotation_name: "Engine host",
        patching_rect: [490, 240, 80, 18], presentation: 1, presentation_rect: [228, 56, 76, 16]
    });
    prependTo(p, hostBox, "sethost", 490, 280, js);
    portBox(p, js, "port", "setport", 600, [306, 56, 44, 16], {
        help: "UDP port the engine listens on (sentgen serve --port).", name: "Engine port",
        longname: "sentgen engine port", shortname: "Port", initial: core.DEFAULTS.port
    });
    p.comment("Reply", 660, 240, 40, 18, [354, 56, 32, 16]);
    portBox(p, js, "replyport", "setreplyport", 700, [388, 56, 44, 16], {
        help: "UDP port this device listens on for the engine's answers (one per device).", name: "Reply port",
        longname: "sentgen reply port", shortname: "Reply", initial: core.DEFAULTS.replyPort
    });

    // the engine's token (sentgen serve --token; needed beyond loopback), typed then Return
    p.comment("Token", 760, 240, 40, 18, [438, 56, 36, 16]);
    const tokenBox = p.add({
        maxclass: "textedit", varname: "token", text: "", lines: 1, fontsize: 9,
        numinlets: 1, numoutlets: 4, outlettype: ["", "int", "", ""], keymode: 1, wordwrap: 0,
        annotation: "The engine's token (sentgen serve --token), needed when the engine listens beyond " +
            "loopback (press Return; empty clears it). Not saved with the Live Set.", annotation_name: "Engine token",
        patching_rect: [800, 240, 80, 18], presentation: 1, presentation_rect: [474, 56, W - 478, 16]
    });
    prependTo(p, tokenBox, "settoken", 800, 280, js);

    // attribute labels and status
    const attrsText = p.comment("", 20, 700, 440, 18, [4, 76, W - 8, 16],
        {varname: "attrs", fontsize: 9});
    const statusText = p.comment("SentGen: waiting for Live...", 20, 730, 440, 60, [4, 94, W - 8, 72],
        {varname: "status", fontsize: 9, linecount: 5});
    const preAttrs = p.obj("prepend set", 560, 660, 1, 1);
    const preStatus = p.obj("prepend set", 660, 660, 1, 1);
    p.connect(js, outs.attrs, preAttrs);
    p.connect(preAttrs, 0, attrsText);

    wireCommon(p, js, outs, {x: 820, y: 20}, {replyPort: core.DEFAULTS.replyPort}, preStatus, statusText);

    return patcher(p, {
        width: W, height: H, amxdType: AMXD_TYPES.midi_effect,
        deps: ["sentgen_device.js", "sentgen_core.js"],
        description: "SentGen: up to " + core.DIALS + " semantic knobs, the ones the engine's current model offers " +
            "(dMelodies: tonic, octave, scale, rhythms, arpeggios), that edit the first 2 bars of the selected MIDI " +
            "clip through the sentgen engine (OSC, 127.0.0.1:9000).",
        digest: "Semantic knobs for 2-bar MIDI clips"
    });
}

// ------------------------------------------------------------ the MIDI Tool

function buildTool() {
    const p = new Patch();
    const W = 152, H = 146;
    const outs = {tool: 0, trigger: 1, udp: 2, recv: 3, status: 4, menu: 5};

    const toolIn = p.obj("live.miditool.in", 20, 20, 1, 3);
    const js = p.obj("js sentgen_miditool.js " + core.DEFAULTS.host + " " + core.DEFAULTS.port + " " +
        core.DEFAULTS.toolReplyPort, 20, 470, 2, 6,
    {saved_object_attributes: {filename: "sentgen_miditool.js", parameter_enable: 0}});
    const toolOut = p.obj("live.miditool.out", 20, 540, 1, 0);
    p.connect(toolIn, 0, js, 0);      // selected notes
    p.connect(toolIn, 1, js, 1);      // context (time selection, grid, scale)
    p.connect(js, outs.tool, toolOut);
    p.connect(js, outs.trigger, toolIn);

    // the bank: menu n is knob n of the current model, 3 a row. Plain
    // [umenu]s, whose items the js rewrites ("<n> clear", "<n> append <label>",
    // "<n> set <index>", "<n> ignoreclick 1" for an unused one): a MIDI
    // Tool's controls are not automated, so they need not be Live parameters.
    const perRow = 3;
    const w = Math.floor((W - 2 * (perRow - 1)) / perRow);
    const route = slotRoute(p, 300, 540);
    p.connect(js, outs.menu, route);
    SLOTS.forEach((n) => {
        const knob = FALLBACK[n - 1];
        const x = 200 + (n - 1) * 110;
        const items = [];
        (knob ? knob.labels : []).forEach((l, i) => items.push(...(i ? [",", l] : [l])));
        slotControl(p, js, route, n, "menu", x, 160, {
            maxclass: "umenu", varname: "knob" + n,
            numinlets: 1, numoutlets: 3, outlettype: ["int", "", ""], parameter_enable: 0,
            items, hint: knob ? knob.title : "", ignoreclick: knob ? 0 : 1,
            annotation: "Knob " + n + " of the engine's current model (empty when the model has fewer knobs).",
            fontsize: 8, patching_rect: [x, 120, 90, 15], presentation: 1,
            presentation_rect: [((n - 1) % perRow) * (w + 2), Math.floor((n - 1) / perRow) * 17, w, 15]
        });
    });

    const by = Math.ceil(core.DIALS / perRow) * 17 + 2;
    button(p, js, "Use sel", "usesel", 200, 240, [0, by, 40, 16],
        "Load the selected notes into the engine so the menus edit them.");
    button(p, js, "Random", "random", 300, 240, [42, by, 40, 16], "A new 2-bar clip from the model.");
    button(p, js, "Undo", "undo", 400, 240, [84, by, 33, 16], "Step back in the engine's edit history.");
    button(p, js, "Redo", "redo", 500, 240, [119, by, 33, 16], "Step forward in the engine's edit history.");

    const statusText = p.comment("SentGen MIDI Tool: waiting for Live...", 200, 700, 300, 60,
        [0, by + 18, 152, H - by - 18], {varname: "status", fontsize: 9, linecount: 5});
    const preStatus = p.obj("prepend set", 520, 660, 1, 1);

    wireCommon(p, js, outs, {x: 820, y: 20}, {replyPort: core.DEFAULTS.toolReplyPort}, preStatus, statusText);

    return patcher(p, {
        width: W, height: H, amxdType: AMXD_TYPES.midi_transformation,
        deps: ["sentgen_miditool.js", "sentgen_core.js"],
        description: "SentGen MIDI Tool (Live 12 Transformation): replaces the selected notes of bars 1-2 with " +
            "the sentgen engine's latest clip, at once.",
        digest: "Semantic knobs for 2-bar MIDI clips, as a MIDI Tool"
    });
}

// ------------------------------------------------------------------- output

function render(obj) {
    return JSON.stringify(obj, null, "\t") + "\n";
}

function outputs() {
    return {[DEVICE_FILE]: render(buildDevice()), [TOOL_FILE]: render(buildTool())};
}

// .amxd container: "ampf" v4, device type, "meta", "ptch" + the patcher JSON.
function amxd(json, type) {
    const body = Buffer.concat([Buffer.from(json, "utf8"), Buffer.from([0])]);
    const head = Buffer.alloc(32);
    head.write("ampf", 0, "latin1");
    head.writeUInt32LE(4, 4);
    head.write(type, 8, "latin1");
    head.write("meta", 12, "latin1");
    head.writeUInt32LE(4, 16);
    head.writeUInt32LE(0, 20);
    head.write("ptch", 24, "latin1");
    head.writeUInt32LE(body.length, 28);
    return Buffer.concat([head, body]);
}

function writeAmxd(dir) {
    const out = outputs();
    fs.mkdirSync(dir, {recursive: true});
    fs.writeFileSync(path.join(dir, "SentGen.amxd"), amxd(out[DEVICE_FILE], AMXD_TYPES.midi_effect));
    fs.writeFileSync(path.join(dir, "SentGen MIDI Tool.amxd"), amxd(out[TOOL_FILE], AMXD_TYPES.midi_transformation));
    for (const f of JS_FILES) {
        fs.copyFileSync(path.join(HERE, f), path.join(dir, f));
    }
    return ["SentGen.amxd", "SentGen MIDI Tool.amxd"].concat(JS_FILES).map((f) => path.join(dir, f));
}

function main(argv) {
    const out = outputs();
    if (argv.includes("--check")) {
        const stale = Object.keys(out).filter((f) => {
            const file = path.join(HERE, f);
            return !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== out[f];
        });
        if (stale.length) {
            console.error("out of date: " + stale.join(", ") + " (run node maxpatch/build_patches.js)");
            return 1;
        }
        return 0;
    }
    const amxdAt = argv.indexOf("--amxd");
    if (amxdAt >= 0) {
        const dir = argv[amxdAt + 1] || path.join(HERE, "build");
        writeAmxd(dir).forEach((f) => console.log("wrote " + f));
        return 0;
    }
    for (const f of Object.keys(out)) {
        fs.writeFileSync(path.join(HERE, f), out[f]);
        console.log("wrote " + path.join(HERE, f));
    }
    return 0;
}

module.exports = {buildDevice, buildTool, outputs, render, amxd, writeAmxd, AMXD_TYPES, fourcc};

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
