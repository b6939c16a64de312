// Structure tests: the .maxpat files parse as JSON, hold the objects that
// docs/live.md promises, are wired consistently, reference js files that
// exist, and are up to date with build_patches.js; the js that Max loads is
// ES5; the .amxd wrapper is well formed. Run: node --test maxpatch/
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const {execFileSync} = require("node:child_process");
const build = require("./build_patches.js");
const core = require("./sentgen_core.js");

const HERE = __dirname;
const DOCS = path.join(HERE, "..", "docs", "live.md");
const MAX_JS = ["sentgen_core.js", "sentgen_device.js", "sentgen_miditool.js"];

function load(file) {
    return JSON.parse(fs.readFileSync(path.join(HERE, file), "utf8")).patcher;
}

function boxes(p) {
    return p.boxes.map((b) => b.box);
}

function byText(p, re) {
    return boxes(p).filter((b) => b.maxclass === "newobj" && re.test(b.text));
}

function one(p, re) {
    const found = byText(p, re);
    assert.equal(found.length, 1, "exactly one object matching " + re + ", found " + found.length);
    return found[0];
}

function connected(p, srcId, dstId, outlet, inlet = 0) {
    return p.lines.some((l) => l.patchline.source[0] === srcId && l.patchline.destination[0] === dstId &&
        (outlet === undefined || l.patchline.source[1] === outlet) && l.patchline.destination[1] === inlet);
}

// Every line joins existing boxes within their inlet/outlet counts; ids unique.
function checkWiring(p) {
    const all = boxes(p);
    const ids = new Map(all.map((b) => [b.id, b]));
    assert.equal(ids.size, all.length, "box ids are unique");
    for (const {patchline: l} of p.lines) {
        const s = ids.get(l.source[0]), d = ids.get(l.destination[0]);
        assert.ok(s && d, "line joins existing boxes: " + JSON.stringify(l));
        assert.ok(l.source[1] < s.numoutlets, "outlet " + l.source[1] + " exists on " + (s.text || s.maxclass));
        assert.ok(l.destination[1] < d.numinlets, "inlet " + l.destination[1] + " exists on " + (d.text || d.maxclass));
    }
    const names = all.filter((b) => b.saved_attribute_attributes)
        .map((b) => b.saved_attribute_attributes.valueof.parameter_longname);
    assert.equal(new Set(names).size, names.length, "parameter names are unique");
}

// The js object's file exists and has as many outlets as the box says.
function checkJs(p, file, inlets, outlets) {
    const js = one(p, new RegExp("^js " + file.replace(".", "\\.") + "( |$)"));
    assert.ok(fs.existsSync(path.join(HERE, file)), file + " exists");
    assert.equal(js.saved_object_attributes.filename, file);
    const src = fs.readFileSync(path.join(HERE, file), "utf8");
    assert.match(src, new RegExp("^inlets = " + inlets + ";", "m"));
    assert.match(src, new RegExp("^outlets = " + outlets + ";", "m"));
    assert.equal(js.numinlets, inlets);
    assert.equal(js.numoutlets, outlets);
    assert.match(src, /require\("sentgen_core"\)/);
    const deps = p.dependency_cache.map((d) => d.name);
    assert.ok(deps.includes(file) && deps.includes("sentgen_core.js"), "dependencies list the js files");
    return js;
}

function checkEngineLink(p, js, replyPort) {
    const send = one(p, /^udpsend /);
    assert.equal(send.text, "udpsend 127.0.0.1 9000");
    const recv = one(p, /^udpreceive /);
    assert.equal(recv.text, "udpreceive " + replyPort + " @defer 1");
    assert.ok(connected(p, recv.id, js.id, 0), "udpreceive -> js");
    assert.ok(connected(p, js.id, send.id), "js -> udpsend");
    assert.ok(connected(p, js.id, recv.id), "js -> udpreceive (port)");
    // live.thisdevice -> deferlow -> "init" -> js
    const dev = one(p, /^live\.thisdevice$/);
    const defer = one(p, /^deferlow$/);
    const init = boxes(p).find((b) => b.maxclass === "message" && b.text === "init");
    assert.ok(init, "init message");
    assert.ok(connected(p, dev.id, defer.id, 0));
    assert.ok(connected(p, defer.id, init.id, 0));
    assert.ok(connected(p, init.id, js.id, 0));
}

function checkButtons(p, js, words) {
    for (const [label, word] of words) {
        const b = boxes(p).find((x) => x.maxclass === "live.text" && x.text === label);
        assert.ok(b, "button " + label);
        assert.equal(b.mode, 0, label + " is a button");
        assert.equal(b.presentation, 1);
        const m = boxes(p).find((x) => x.maxclass === "message" && x.text === word && connected(p, b.id, x.id, 0));
        assert.ok(m, label + " -> message " + word);
        assert.ok(connected(p, m.id, js.id, 0), word + " -> js");
    }
}

test("sentgen.maxpat: a MIDI effect with the promised objects", () => {
    const p = load("sentgen.maxpat");
    checkWiring(p);
    assert.equal(p.openinpresentation, 1);
    assert.equal(p.project.amxdtype, build.fourcc("mmmm"), "MIDI effect");
    const midiin = one(p, /^midiin$/), midiout = one(p, /^midiout$/);
    assert.ok(connected(p, midiin.id, midiout.id, 0), "MIDI passes through");
    const js = checkJs(p, "sentgen_device.js", 1, 5);
    checkEngineLink(p, js, 9001);

    // the fixed bank: dial n is knob n of the current model, a 0..1 Float
    // parameter whose name never changes; title and value label are comments
    const dials = boxes(p).filter((b) => b.maxclass === "live.dial");
    assert.equal(dials.length, core.DIALS);
    assert.equal(core.DIALS, 12);
    const bank = one(p, /^route dial title label$/);
    assert.ok(connected(p, js.id, bank.id, 4), "js outlet 4 -> the bank");
    const slots = [0, 1, 2].map((k) => {
        const r = byText(p, /^route 1 2 3 4 5 6 7 8 9 10 11 12$/).find((b) => connected(p, bank.id, b.id, k));
        assert.ok(r, "route dial/title/label -> route 1..12, outlet " + k);
        return r;
    });
    const fallback = core.fallbackKnobs();
    for (let n = 1; n <= core.DIALS; n++) {
        const d = dials.find((x) => x.varname === "knob" + n);
        assert.ok(d, "dial " + n);
        const v = d.saved_attribute_attributes.valueof;
        assert.equal(v.parameter_longname, "Knob " + n);
        assert.equal(v.parameter_type, 0, "dial " + n + " is a Float parameter");
        assert.deepEqual([v.parameter_mmin, v.parameter_mmax], [0, 1]);
        assert.equal(d.presentation, 1);
        assert.equal(d.showname, 0);
        assert.equal(d.shownumber, 0);
        const pre = one(p, new RegExp("^prepend dial " + n + "$"));
        assert.ok(connected(p, d.id, pre.id, 0) && connected(p, pre.id, js.id, 0), "dial " + n + " -> js");
        assert.ok(connected(p, slots[0].id, d.id, n - 1), "the js sets dial " + n);
        const title = boxes(p).find((b) => b.maxclass === "comment" && b.varname === "title" + n);
        const label = boxes(p).find((b) => b.maxclass === "comment" && b.varname === "label" + n);
        assert.ok(title && title.presentation === 1 && connected(p, slots[1].id, title.id, n - 1), "title " + n);
        assert.ok(label && label.presentation === 1 && connected(p, slots[2].id, label.id, n - 1), "label " + n);
        // before any engine: the dMelodies knobs on dials 1-9, 10-12 inactive
        const k = fallback[n - 1];
        assert.equal(d.active, k ? 1 : 0);
        assert.equal(title.text, k ? k.title : "");
        assert.equal(label.text, k ? k.labels[0] : "");
    }
    checkButtons(p, js, [["Read", "getclip"], ["Random", "random"], ["Undo", "undo"], ["Redo", "redo"]]);

    // engine host / ports, status and attribute line
    const host = boxes(p).find((b) => b.maxclass === "textedit" && b.varname === "host");
    assert.equal(host.text, "127.0.0.1");
    assert.ok(connected(p, host.id, one(p, /^prepend sethost$/).id, 0));
    const token = boxes(p).find((b) => b.maxclass === "textedit" && b.varname === "token");
    assert.equal(token.text, "");
    assert.ok(connected(p, token.id, one(p, /^prepend settoken$/).id, 0));
    assert.ok(connected(p, one(p, /^prepend settoken$/).id, js.id, 0));
    const port = boxes(p).find((b) => b.maxclass === "live.numbox" && b.varname === "port");
    assert.deepEqual(port.saved_attribute_attributes.valueof.parameter_initial, [9000]);
    const reply = boxes(p).find((b) => b.maxclass === "live.numbox" && b.varname === "replyport");
    assert.deepEqual(reply.saved_attribute_attributes.valueof.parameter_initial, [9001]);
    for (const b of [port, reply]) {
        // Live's native int parameters hold 0-255 only: ports are Float shown as Int
        assert.equal(b.saved_attribute_attributes.valueof.parameter_type, 0);
        assert.equal(b.saved_attribute_attributes.valueof.parameter_unitstyle, 0);
        assert.equal(b.saved_attribute_attributes.valueof.parameter_mmax, 65535);
    }
    assert.ok(connected(p, port.id, one(p, /^prepend setport$/).id, 0));
    assert.ok(connected(p, reply.id, one(p, /^prepend setreplyport$/).id, 0));
    for (const name of ["status", "attrs"]) {
        const c = boxes(p).find((b) => b.maxclass === "comment" && b.varname === name);
        assert.ok(c && c.presentation === 1, name + " display");
    }
    assert.equal(p.devicewidth, 4 + 12 * 50);
    // everything shown fits in a Live device (169 px high)
    boxes(p).filter((b) => b.presentation).forEach((b) => {
        const [x, y, w, h] = b.presentation_rect;
        assert.ok(x >= 0 && y >= 0 && x + w <= p.devicewidth && y + h <= 169, (b.varname || b.text) + " fits");
    });
});

test("sentgen_miditool.maxpat: a Live 12 MIDI Transformation with the promised objects", () => {
    const p = load("sentgen_miditool.maxpat");
    checkWiring(p);
    assert.equal(p.project.amxdtype, build.fourcc("natt"), "MIDI Transformation");
    assert.equal(byText(p, /^midiin|^midiout/).length, 0, "a MIDI Tool has no MIDI ports");
    const js = checkJs(p, "sentgen_miditool.js", 2, 6);
    checkEngineLink(p, js, 9002);
    const tin = one(p, /^live\.miditool\.in$/), tout = one(p, /^live\.miditool\.out$/);
    assert.ok(connected(p, tin.id, js.id, 0, 0), "notes -> js inlet 0");
    assert.ok(connected(p, tin.id, js.id, 1, 1), "context -> js inlet 1");
    assert.ok(connected(p, js.id, tout.id, 0), "js -> live.miditool.out");
    assert.ok(connected(p, js.id, tin.id, 1), "js re-triggers live.miditool.in");
    // the bank: menu n is knob n of the current model; items from the js
    const menus = boxes(p).filter((b) => b.maxclass === "umenu");
    assert.equal(menus.length, core.DIALS);
    const route = one(p, /^route 1 2 3 4 5 6 7 8 9 10 11 12$/);
    assert.ok(connected(p, js.id, route.id, 5), "js outlet 5 -> the menus");
    const fallback = core.fallbackKnobs();
    for (let n = 1; n <= core.DIALS; n++) {
        const m = menus.find((x) => x.varname === "knob" + n);
        assert.ok(m, "menu " + n);
        const pre = one(p, new RegExp("^prepend menu " + n + "$"));
        assert.ok(connected(p, m.id, pre.id, 0) && connected(p, pre.id, js.id, 0), "menu " + n + " -> js");
        assert.ok(connected(p, route.id, m.id, n - 1), "the js sets menu " + n);
        const k = fallback[n - 1];
        assert.deepEqual(m.items.filter((x) => x !== ","), k ? k.labels : []);
        assert.equal(m.ignoreclick, k ? 0 : 1);
    }
    checkButtons(p, js, [["Use sel", "usesel"], ["Random", "random"], ["Undo", "undo"], ["Redo", "redo"]]);
    boxes(p).filter((b) => b.presentation).forEach((b) => {
        const [x, y, w, h] = b.presentation_rect;
        assert.ok(x >= 0 && y >= 0 && x + w <= 152 && y + h <= 146, (b.varname || b.text) + " fits the tool panel");
    });
});

test("the .maxpat files are up to date with build_patches.js", () => {
    const out = build.outputs();
    for (const file of Object.keys(out)) {
        assert.equal(fs.readFileSync(path.join(HERE, file), "utf8"), out[file],
            file + " is stale: run node maxpatch/build_patches.js");
    }
});

test(".amxd wrapper: header, device type, patcher JSON", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sentgen-amxd-"));
    try {
        build.writeAmxd(dir);
        for (const [file, type] of [["SentGen.amxd", "mmmm"], ["SentGen MIDI Tool.amxd", "natt"]]) {
            const data = fs.readFileSync(path.join(dir, file));
            assert.equal(data.toString("latin1", 0, 4), "ampf");
            assert.equal(data.readUInt32LE(4), 4);
            assert.equal(data.toString("latin1", 8, 12), type);
            assert.equal(data.toString("latin1", 12, 16), "meta");
            assert.equal(data.toString("latin1", 24, 28), "ptch");
            const len = data.readUInt32LE(28);
            assert.equal(len, data.length - 32);
            const json = JSON.parse(data.toString("utf8", 32, 32 + len - 1));
            assert.equal(json.patcher.project.amxdtype, build.fourcc(type));
        }
        for (const f of MAX_JS) {
            assert.ok(fs.existsSync(path.join(dir, f)), f + " copied next to the devices");
        }
    } finally {
        fs.rmSync(dir, {recursive: true, force: true});
    }
});

// Max 8's [js] is ES5: no let/const/arrows/classes/template strings, and no
// ES2015+ library calls. Parsed with the acorn that ships inside node.
test("the js that Max loads is ES5", (t) => {
    const files = MAX_JS.map((f) => path.join(HERE, f));
    let parsed = false;
    try {
        execFileSync(process.execPath, ["--expose-internals", "-e", `
            const acorn = require("internal/deps/acorn/acorn/dist/acorn");
            const fs = require("fs");
            for (const f of ${JSON.stringify(files)}) {
                try { acorn.parse(fs.readFileSync(f, "utf8"), {ecmaVersion: 5, sourceType: "script"}); }
                catch (e) { console.error(f + ": " + e.message); process.exitCode = 3; }
            }`], {stdio: ["ignore", "pipe", "pipe"]});
        parsed = true;
    } catch (e) {
        if (e.status === 3) {
            assert.fail("not ES5: " + String(e.stderr));
        }
        // acorn not reachable in this node build: fall back to the token scan below
    }
    const banned = [/\blet\s/, /\bconst\s/, /=>/, /`/, /\bclass\s/, /\.\.\.\w/,
        /\.(startsWith|endsWith|includes|padStart|padEnd|find|findIndex|fill|entries|values)\(/,
        /\b(Object\.assign|Object\.values|Object\.entries|Array\.from|Array\.of|Number\.isFinite|Number\.isInteger|Number\.isNaN|Math\.trunc|Math\.sign|Promise|Symbol|WeakMap)\b/,
        /\bnew (Map|Set)\b/];
    for (const f of files) {
        // strip comments and strings before scanning
        const code = fs.readFileSync(f, "utf8")
            .replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "")
            .replace(/"(?:[^"\\\n]|\\.)*"/g, "\"\"");
        for (const re of banned) {
            assert.doesNotMatch(code, re, path.basename(f) + " uses " + re);
        }
    }
    if (!parsed) {
        t.diagnostic("acorn not reachable in this node: checked with the token scan only");
    }
});

test("docs/live.md covers install, connect, the knobs, the MIDI Tool, troubleshooting", () => {
    const doc = fs.readFileSync(DOCS, "utf8");
    for (const word of ["sentgen.maxpat", "sentgen_miditool.maxpat", ".amxd", "User Library", "sentgen serve",
        "9000", "9001", "9002", "live.miditool", "Troubleshooting", "Random", "Undo", "Redo", "Read",
        "/sentgen/knobs", "Knob 1", "inactive"]) {
        assert.ok(doc.includes(word), "docs/live.md mentions " + word);
    }
    for (const name of core.ATTR_SHORT) {
        assert.ok(doc.includes(name), "docs/live.md explains the " + name + " knob");
    }
    for (const f of MAX_JS) {
        assert.ok(doc.includes(f), "docs/live.md tells where " + f + " goes");
    }
});
