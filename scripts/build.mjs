// Bundles every entry point with esbuild. Type-checking is `npm run typecheck`.
import { build } from "esbuild";
import { existsSync, chmodSync } from "node:fs";

const production = process.argv.includes("--production");
const common = {
  bundle: true,
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "warning",
  target: "node20",
};

const node = [
  { in: "cli/cnn.ts", out: "dist/cli/cnn.js", banner: "#!/usr/bin/env node", external: ["@resvg/resvg-js"] },
  { in: "server/server.ts", out: "dist/server/server.js" },
  { in: "client/extension.ts", out: "dist/client/extension.js", external: ["vscode"] },
];
const browser = [
  { in: "webview/main.ts", out: "dist/webview/main.js" },
  { in: "engine/worker.ts", out: "dist/webview/worker.js" },
  { in: "diagram/view/main.ts", out: "dist/webview/architecture.js" },
];

const jobs = [];
for (const e of node) {
  if (!existsSync(e.in)) continue;
  jobs.push(
    build({
      ...common,
      entryPoints: [e.in],
      outfile: e.out,
      platform: "node",
      format: "cjs",
      external: e.external ?? [],
      banner: e.banner ? { js: e.banner } : undefined,
    }).then(() => e.banner && chmodSync(e.out, 0o755)),
  );
}
for (const e of browser) {
  if (!existsSync(e.in)) continue;
  jobs.push(build({ ...common, entryPoints: [e.in], outfile: e.out, platform: "browser", format: "iife", target: "es2022" }));
}
await Promise.all(jobs);
