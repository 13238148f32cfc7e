// Every fixture and example, checked against the expectations written in its comments.

import * as assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { checkExpectations } from "../support/expectations";

function cnnFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...cnnFiles(p));
    else if (name.endsWith(".cnn")) out.push(p);
  }
  return out;
}

const root = join(__dirname, "..", "..", "..");

for (const dir of ["test/fixtures", "examples"]) {
  describe(`inline expectations: ${dir}`, () => {
    for (const file of cnnFiles(join(root, dir))) {
      it(relative(root, file), () => {
        const problems = checkExpectations(readFileSync(file, "utf8"), file);
        assert.deepEqual(problems.map((p) => `line ${p.line}: ${p.message}`), []);
      });
    }
  });
}
