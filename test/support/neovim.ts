// Neovim, headless, as a second LSP client (Debian's `neovim` package, 0.7; 0.10+ works
// too). `runNeovim(scenario)` starts `nvim --headless --clean -u NONE`, loads
// test/neovim/harness.lua (H.open, H.wait, H.diagnostics, H.request, H.edit, H.record,
// H.finish …) and then the scenario's Lua, which drives Neovim's own client against the
// built server (dist/server/server.js over stdio, as `npm run lsp` starts it). It returns
// what the scenario recorded. Reusable: a latency scenario edits with H.edit and reads
// the arrival times of each version's diagnostics with H.published (see
// /work/notes/core.md in the project's history, and test/lsp/neovim.test.ts).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serverNodeFlags } from "../../server/protocol";

export interface NeovimRun {
  /** what the scenario recorded with H.record(key, value) */
  steps: Record<string, unknown>;
  /** H.fail messages and a server exiting non-zero */
  errors: string[];
  /** Neovim's version, "0.7.2" */
  version: string;
  /** Neovim's own output (messages, Lua errors) */
  stderr: string;
}

export function neovimPath(): string | null {
  for (const p of [process.env.CNN_NVIM, "/usr/bin/nvim", "/usr/local/bin/nvim"]) if (p && existsSync(p)) return p;
  const which = spawnSync("which", ["nvim"], { encoding: "utf8" });
  return which.status === 0 ? which.stdout.trim() : null;
}

export interface NeovimOptions {
  /** the repository (for test/neovim/harness.lua and dist/server/server.js) */
  root: string;
  /** the server's command line (default: node with the server's flags, dist/server/server.js --stdio) */
  serverCommand?: string[];
  /** the whole run's deadline (default 60 s) */
  timeoutMs?: number;
  /** files to write into the run's folder before Neovim starts (name → text); the folder is $CNN_NVIM_DIR */
  files?: Record<string, string>;
  /** more environment for Neovim (and the servers it starts) */
  env?: Record<string, string>;
}

export async function runNeovim(scenario: string, options: NeovimOptions): Promise<NeovimRun> {
  const nvim = neovimPath();
  if (!nvim) throw new Error("Neovim is not installed: `bash test/e2e/install.sh` (as root) installs Debian's neovim package");
  const dir = mkdtempSync(join(tmpdir(), "cnn-nvim-"));
  try {
    for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text);
    const scenarioPath = join(dir, "scenario.lua");
    // a Lua error in the scenario ends the run with the error recorded (not a hang)
    writeFileSync(scenarioPath, `local ok, err = xpcall(function()\n${scenario}\nend, debug.traceback)\nif not ok then H.fail(tostring(err)) end\nH.finish()\n`);
    const resultsPath = join(dir, "results.json");
    const command = options.serverCommand ?? [process.execPath, ...serverNodeFlags, join(options.root, "dist", "server", "server.js"), "--stdio"];
    const harness = join(options.root, "test", "neovim", "harness.lua");
    // each step of the scenario has its own deadline; this one only guards against a hang of Neovim itself
    const timeoutMs = options.timeoutMs ?? 60_000;
    const child = spawn(nvim, ["--headless", "--clean", "-u", "NONE", "-i", "NONE", "-n", "-c", `luafile ${harness}`, "-c", `luafile ${scenarioPath}`], {
      cwd: dir,
      env: { ...process.env, ...options.env, CNN_LSP_CMD: JSON.stringify(command), CNN_NVIM_RESULTS: resultsPath, CNN_NVIM_DIR: dir, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stdout.on("data", (d) => (stderr += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    if (!existsSync(resultsPath)) throw new Error(`Neovim ended (exit ${code}) without results; its output:\n${stderr.slice(-3000)}`);
    const results = JSON.parse(readFileSync(resultsPath, "utf8")) as Omit<NeovimRun, "stderr">;
    // an empty Lua table is encoded as [] by json_encode
    return { steps: Array.isArray(results.steps) ? {} : results.steps, errors: results.errors ?? [], version: results.version, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
