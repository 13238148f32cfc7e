// The run view's host side (client/run/panel.ts) with a stand-in for VS Code: the error
// lines it sends the page about a picture, a class list or a weights file whose names
// hold a RIGHT-TO-LEFT OVERRIDE (U+202E) and a control character name those characters
// (U+202E, U+0007) and never carry them raw — a raw U+202E would turn the rest of the
// line around in the view. The files are real files of a temporary workspace folder.

import "../support/fake-vscode";
import * as assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyze } from "../../analysis";
import { serializeNetwork } from "../../analysis/serialize";
import { RunPanel } from "../../client/run/panel";
import type { NetworkSource } from "../../client/run/source";
import { fake, Uri } from "../support/fake-vscode";

const RAW = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const odd = (stem: string, ext: string) => `${stem}\u202e\u0007${ext}`;
const named = (stem: string, ext: string) => `${stem}U+202EU+0007${ext}`;

describe("run view host: error lines about files name invisible characters", function () {
  let dir = "";
  let text = "";
  const source: NetworkSource = async () => {
    const network = analyze(text, "net.cnn").networks[0];
    const picture = network.graph[0].op === "input" && network.graph[0].attrs.sample && "path" in network.graph[0].attrs.sample ? network.graph[0].attrs.sample.path : null;
    return { network: serializeNetwork(network), lines: network.graph.map(() => 1), frameLines: [], picture };
  };

  function open(cnn: string): { panel: RunPanel; posted: unknown[] } {
    text = cnn;
    writeFileSync(join(dir, "net.cnn"), cnn);
    RunPanel.active?.dispose();
    const panel = RunPanel.createOrShow(Uri.file(join(dir, "ext")) as never, source, { uri: Uri.file(join(dir, "net.cnn")).toString() });
    return { panel, posted: fake.panels[fake.panels.length - 1].posted };
  }

  function errors(posted: unknown[]): string[] {
    return posted.filter((m): m is { type: "error"; message: string } => (m as { type: string }).type === "error").map((m) => m.message);
  }

  function assertNamed(messages: string[], name: string): void {
    assert.equal(messages.length, 1, JSON.stringify(messages));
    assert.ok(!RAW.test(messages[0]), `a raw character reached the view: ${JSON.stringify(messages[0])}`);
    assert.ok(messages[0].includes(name), `${JSON.stringify(messages[0])} does not name ${name}`);
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "cnn-panel-"));
    mkdirSync(join(dir, "ext"));
    fake.folder = Uri.file(dir);
  });
  after(() => {
    RunPanel.active?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the picture an input line names: missing, and present but not a picture", async () => {
    const { panel, posted } = open(`input 8x8x1 sample "${odd("p", ".png")}"\nfc 2\n`);
    await panel.refresh();
    assertNamed(errors(posted), named("p", ".png"));
    writeFileSync(join(dir, odd("p", ".png")), "not a PNG at all");
    posted.length = 0;
    await panel.refresh();
    assertNamed(errors(posted), named("p", ".png"));
  });

  it("the classes file an input line names: missing, and present but not a list", async () => {
    const { panel, posted } = open(`input 8x8x1 classes "${odd("c", ".txt")}"\nfc 2\n`);
    await panel.refresh();
    assertNamed(errors(posted), named("c", ".txt"));
    writeFileSync(join(dir, odd("c", ".txt")), Buffer.from([0xff, 0xfe, 0x00, 0x00, 0xc3]));
    posted.length = 0;
    await panel.refresh();
    assertNamed(errors(posted), named("c", ".txt"));
  });

  it("Load weights…: a file that is not safetensors", async () => {
    const { panel, posted } = open("input 8x8x1\nfc 2\n");
    writeFileSync(join(dir, odd("w", ".safetensors")), "{ not a weights file");
    fake.openDialog.push([Uri.file(join(dir, odd("w", ".safetensors")))]);
    await panel.loadWeights();
    assertNamed(errors(posted), named("w", ".safetensors"));
  });

  it("Pick picture…: the error VS Code shows names them too", async () => {
    const { posted } = open("input 8x8x1\nfc 2\n");
    writeFileSync(join(dir, odd("q", ".png")), "GIF89a");
    fake.openDialog.push([Uri.file(join(dir, odd("q", ".png")))]);
    fake.errors.length = 0;
    fake.panels[fake.panels.length - 1].send({ type: "pickPicture" });
    for (let i = 0; i < 100 && fake.errors.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assertNamed(fake.errors, named("q", ".png"));
    assert.deepEqual(errors(posted), []);
  });
});
