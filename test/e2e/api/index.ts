// extensionTestsPath: VS Code loads this in the extension host and awaits run().
// The same file serves desktop VS Code (@vscode/test-electron) and code-server (the shim).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import Mocha from "mocha";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", color: false, reporter: "spec", timeout: 60_000 });
  for (const file of readdirSync(__dirname).sort()) {
    if (file.endsWith(".test.js")) mocha.addFile(join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
