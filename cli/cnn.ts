// The `cnn` command: check, summary (and run/export, from the engine).

import { readFileSync } from "node:fs";
import { analyze, toJson, type Analysis, type ShapeFormat } from "../analysis";
import { countBySeverity, diagnosticLines, plural } from "./report";
import { summaryJson, summaryText } from "../analysis/summary";
import { extraCommands } from "./commands";
import { UsageError } from "./usage";
import { oneLine } from "../grammar/printable";
import { enableRelaxedSimd } from "../engine/wasm/relaxed-node";

const usage = `usage: cnn <command> [options]

  cnn check FILE…                     diagnostics as file:line:col: severity[code]: message
  cnn summary FILE [--json] [--chw] [--network NAME] [--depth N]
                                      a torchinfo-like table per network (or JSON); --depth 2
                                      also lists what each block use, repeat or residual holds
${extraCommands.map((c) => `  ${c.usage}`).join("\n")}

exit status: 0 ok, 1 when a file has an error, 2 on bad usage or an unreadable file`;

function read(file: string): string {
  try {
    // a byte order mark is not text: editors drop it, so columns on line 1 agree with theirs
    return readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
    throw new UsageError(`cnn: cannot read ${file}: ${why}`);
  }
}

export function load(file: string): Analysis {
  return analyze(read(file), file);
}

function check(files: string[]): number {
  if (files.length === 0) throw new UsageError("cnn check: name at least one .cnn file");
  let errors = 0;
  let warnings = 0;
  for (const file of files) {
    const analysis = load(file);
    for (const line of diagnosticLines(file, analysis)) process.stdout.write(line + "\n");
    const c = countBySeverity(analysis);
    errors += c.errors;
    warnings += c.warnings;
  }
  process.stderr.write(`checked ${plural(files.length, "file")}: ${plural(errors, "error")}, ${plural(warnings, "warning")}\n`);
  return errors > 0 ? 1 : 0;
}

function summary(args: string[]): number {
  const json = args.includes("--json");
  const format: ShapeFormat = args.includes("--chw") ? "CxHxW" : "WxHxD";
  const valueOf = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const only = valueOf("--network");
  const depthText = valueOf("--depth");
  if (args.includes("--depth") && (depthText === undefined || !/^[1-9]\d{0,2}$/.test(depthText))) {
    throw new UsageError(`cnn summary: --depth takes a whole number from 1 (the network's own statements) to 999, not \`${depthText ?? ""}\``);
  }
  const depth = depthText === undefined ? 1 : Number(depthText);
  const valued = new Set(["--network", "--depth"].map((n) => args.indexOf(n) + 1).filter((i) => i > 0));
  const files = args.filter((a, i) => !a.startsWith("--") && !valued.has(i));
  if (files.length !== 1) throw new UsageError("cnn summary: name one .cnn file");
  const file = files[0];
  const analysis = load(file);
  const networks = only ? analysis.networks.filter((n) => n.name === only) : analysis.networks;
  if (only && networks.length === 0) {
    throw new UsageError(`cnn summary: no network \`${only}\` in ${file} (it has: ${analysis.networks.map((n) => n.name).join(", ") || "none"})`);
  }
  const { errors } = countBySeverity(analysis);
  if (json) {
    process.stdout.write(toJson(summaryJson(file, analysis, networks), 2) + "\n");
  } else {
    process.stdout.write(summaryText(file, analysis, networks, format, depth));
    for (const line of diagnosticLines(file, analysis)) process.stderr.write(line + "\n");
  }
  return errors > 0 ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "check":
        return check(rest);
      case "summary":
        return summary(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(usage + "\n");
        return command === undefined ? 2 : 0;
      default: {
        const extra = extraCommands.find((c) => c.name === command);
        if (extra) return await extra.run(rest, load);
        throw new UsageError(`cnn: unknown command \`${command}\`\n\n${usage}`);
      }
    }
  } catch (e) {
    if (e instanceof UsageError) {
      // each line as oneLine makes it: a file name or picture path quoted in the message
      // (a RIGHT-TO-LEFT OVERRIDE in it) cannot reorder the terminal's line
      process.stderr.write(e.message.split("\n").map(oneLine).join("\n") + "\n");
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  // the engine's fused multiply-add kernels where this Node has them behind a flag (Node 20)
  enableRelaxedSimd();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`cnn: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 3;
    },
  );
}
