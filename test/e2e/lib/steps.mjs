// Named steps with timings. A failing step says which step, what was on screen, and leaves a
// screenshot and the logs that matter next to it in test-artifacts/.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class Steps {
  /**
   * @param {{ layer: string, artifacts: string, workbench?: import("./workbench.mjs").Workbench, logs?: () => string[] }} o
   */
  constructor({ layer, artifacts, workbench, logs = () => [] }) {
    this.layer = layer;
    this.artifacts = artifacts;
    this.workbench = workbench;
    this.logs = logs;
    this.results = [];
    mkdirSync(artifacts, { recursive: true });
  }

  /** Runs one step; rethrows its error after writing the failure report. */
  async step(title, fn) {
    const started = Date.now();
    try {
      const value = await fn();
      this.results.push({ title, ok: true, ms: Date.now() - started });
      console.log(`  ✓ ${title} (${Date.now() - started} ms)`);
      return value;
    } catch (error) {
      this.results.push({ title, ok: false, ms: Date.now() - started, error: error.message });
      console.log(`  ✗ ${title} (${Date.now() - started} ms)\n    ${error.message.replace(/\n/g, "\n    ")}`);
      await this.reportFailure(title, error);
      throw error;
    }
  }

  async reportFailure(title, error) {
    const slug = `FAIL-${this.layer}-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60)}`;
    let screen = "";
    if (this.workbench) {
      await this.workbench.page.screenshot({ path: join(this.artifacts, `${slug}.png`) }).catch(() => {});
      screen = await this.workbench.describeScreen().catch((e) => `(could not read the screen: ${e.message})`);
    }
    const logs = this.logs().filter(existsSync).map((f) => `[${f}] (last lines)\n${tail(f, 40)}`).join("\n\n");
    const report = `step: ${title}\nerror: ${error.stack ?? error.message}\n\n${screen}\n\n${logs}\n`;
    writeFileSync(join(this.artifacts, `${slug}.txt`), report);
    console.log(`    screenshot and screen text: ${join(this.artifacts, slug)}.{png,txt}`);
  }

  get failed() {
    return this.results.filter((r) => !r.ok);
  }
}

export function tail(file, lines) {
  const text = readFileSync(file, "utf8").split("\n");
  return text.slice(-lines).join("\n");
}

/** The VS Code logs of a user-data dir that explain a failure: extension host and output channels. */
export function extensionHostLogs(userDataDir) {
  const found = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/exthost\.log$|CNN|cnn/i.test(name)) found.push(p);
    }
  };
  walk(join(userDataDir, "logs"));
  return found;
}
