// `cnn import MODEL.onnx [--out FILE.cnn]` (spec §7): a .cnn design of the ONNX model and
// its weights beside it as .safetensors (FILE's name with .safetensors), under the labels
// the design gives, so `cnn run FILE.cnn --weights FILE.safetensors` reads them by name.
// An operator or attribute the language cannot express: exit 1 naming the node and the
// operator, and nothing is written.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "./args";
import { UsageError } from "./usage";
import type { ExtraCommand } from "./usage";
import { importedFiles, importOnnx, ImportError } from "../engine/onnx/import";
import { boundedMessage } from "../grammar/printable";

export const importCommand: ExtraCommand = {
  name: "import",
  usage: `cnn import MODEL.onnx [--out FILE.cnn]
                                      a .cnn design of an ONNX model, its weights beside it as .safetensors`,
  run: async (argv) => importFile(argv),
};

async function importFile(argv: string[]): Promise<number> {
  const args = parseArgs("import", argv, ["--out"], []);
  if (args.files.length !== 1) throw new UsageError("cnn import: name one .onnx file");
  const model = args.files[0];
  const out = args.values.get("--out") ?? model.replace(/\.onnx$/i, "") + ".cnn";
  if (!out.endsWith(".cnn")) throw new UsageError(`cnn import: --out names a .cnn file, not ${out}`);
  const weightsOut = out.replace(/\.cnn$/, ".safetensors");
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(model);
  } catch (e) {
    throw new UsageError(`cnn import: cannot read ${model}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  let imported;
  try {
    imported = importOnnx(bytes, basename(out, ".cnn"));
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    process.stderr.write(`${model}: ${e.message}; nothing was written\n`);
    return 1;
  }
  const files = importedFiles(imported, basename(out), basename(weightsOut), basename(model));
  try {
    writeFileSync(weightsOut, files.weights);
    writeFileSync(out, files.text);
  } catch (e) {
    throw new UsageError(`cnn import: cannot write ${existsSync(weightsOut) ? out : weightsOut}: ${(e as Error).message}`);
  }
  for (const note of imported.notes) process.stderr.write(`${model}: note: ${boundedMessage(note)}\n`);
  process.stderr.write(`${model} → ${out} (${imported.layers} layer statements) and ${weightsOut} (${imported.tensors.length} tensors)\n`);
  return 0;
}
