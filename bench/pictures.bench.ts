// `npm run bench -- --only pictures`: hostile pictures given to `cnn run` (as a user
// would: `input … sample "x.png"`), side by side with the decoders it used before
// (pngjs / jpeg-js on the same bytes, as `cnn run` called them): the wall time, the peak
// RSS of the process, and what it said. Targets (issue 9): every hostile picture refused
// in under 5 s and 600 MB, naming the file. A peer that passes 2 GB or 20 s is stopped.
// Also two legitimate pictures at the size limit, to show what decoding one costs.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostilePictures, rgbJpeg, encodePng } from "../test/support/pictures";

const root = join(__dirname, "..", "..");
const cli = join(root, "dist", "cli", "cnn.js");
const STOP_MB = 2000;
const STOP_S = 20;

interface Measure {
  seconds: number;
  peakMB: number;
  status: string;
  said: string;
}

/** runs node with args, sampling its RSS every 20 ms; stopped past STOP_MB or STOP_S */
function measure(args: string[], cwd: string): Promise<Measure> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    let peak = 0;
    let stopped = "";
    const timer = setInterval(() => {
      try {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0);
        peak = Math.max(peak, kb / 1024);
      } catch {
        // gone
      }
      const s = (performance.now() - started) / 1000;
      if (!stopped && (peak > STOP_MB || s > STOP_S)) {
        stopped = peak > STOP_MB ? `stopped past ${STOP_MB} MB` : `stopped after ${STOP_S} s`;
        child.kill("SIGKILL");
      }
    }, 20);
    child.on("exit", (code, signal) => {
      clearInterval(timer);
      resolve({ seconds: (performance.now() - started) / 1000, peakMB: peak, status: stopped || (signal ? String(signal) : `exit ${code}`), said: out.trim().split("\n").pop()!.slice(0, 110) });
    });
  });
}

const PEER = `
const fs = require("fs"), name = process.argv[2], bytes = fs.readFileSync(name);
try {
  if (bytes[0] === 0x89) { const { PNG } = require(${JSON.stringify(join(root, "node_modules", "pngjs"))}); const p = PNG.sync.read(bytes); console.log("decoded", p.width + "x" + p.height); }
  else { const jpeg = require(${JSON.stringify(join(root, "node_modules", "jpeg-js"))}); const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 }); console.log("decoded", j.width + "x" + j.height); }
} catch (e) { console.log("error:", String(e.message).split("\\n")[0]); process.exit(1); }`;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "cnn-pictures-bench-"));
  writeFileSync(join(dir, "peer.js"), PEER);
  // a tiny good picture first: what starting `cnn run` costs at all on this machine now
  const cases = [{ name: "baseline-8x8.png", bytes: encodePng({ width: 8, height: 8, colorType: 2, bitDepth: 8, samples: new Array(192).fill(100) }), hostile: false }];
  cases.push(...hostilePictures().map((h) => ({ name: h.name, bytes: h.bytes, hostile: true })));
  // legitimate pictures at the limit (4096×3072): what a big photo costs
  cases.push({ name: "limit-photo.jpg", bytes: rgbJpeg(4096, 3072, (x, y) => [(x >> 4) & 255, (y >> 4) & 255, ((x + y) >> 5) & 255], 90), hostile: false });
  const w = 4096;
  const h = 3072;
  const samples = new Array<number>(w * h * 3);
  for (let i = 0; i < samples.length; i++) samples[i] = (i * 2654435761) >>> 24;
  cases.push({ name: "limit-noise.png", bytes: encodePng({ width: w, height: h, colorType: 2, bitDepth: 8, samples, filters: [0, 1, 4] }), hostile: false });
  const rows: string[] = [];
  let worst = { seconds: 0, peakMB: 0 };
  let unnamed = 0;
  for (const c of cases) {
    writeFileSync(join(dir, c.name), c.bytes);
    writeFileSync(join(dir, `${c.name}.cnn`), `input 224x224x3 sample "${c.name}"\ngap\n`);
    const ours = await measure([cli, "run", `${c.name}.cnn`], dir);
    const peer = await measure(["peer.js", c.name], dir);
    if (c.hostile) {
      worst = { seconds: Math.max(worst.seconds, ours.seconds), peakMB: Math.max(worst.peakMB, ours.peakMB) };
      if (!ours.said.includes(c.name) || ours.status === "exit 0") unnamed++;
    }
    rows.push(
      `${c.name.padEnd(26)} ${String(c.bytes.length).padStart(9)} B │ cnn run ${ours.seconds.toFixed(2).padStart(5)} s ${ours.peakMB.toFixed(0).padStart(5)} MB ${ours.status.padEnd(7)} │ before (pngjs/jpeg-js) ${peer.seconds.toFixed(2).padStart(5)} s ${peer.peakMB.toFixed(0).padStart(5)} MB ${peer.status}\n` +
        `${"".padEnd(39)}cnn run: ${ours.said}\n${"".padEnd(39)}before:  ${peer.said}`,
    );
  }
  console.log(`pictures: ${cases.length} pictures (load ${(await import("node:os")).loadavg()[0].toFixed(1)} on ${(await import("node:os")).cpus().length} cores)`);
  for (const r of rows) console.log(r);
  console.log(`hostile pictures: slowest refusal ${worst.seconds.toFixed(2)} s, highest peak ${worst.peakMB.toFixed(0)} MB (targets 5 s, 600 MB); ${unnamed} not refused by name`);
  if (worst.seconds > 5 || worst.peakMB > 600 || unnamed) process.exitCode = 1;
}

void main();
