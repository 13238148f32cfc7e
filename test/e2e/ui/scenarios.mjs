// What a person does with the extension, checked on what the workbench draws. Each scenario
// gets the shared workbench and leaves it with no dirty editor.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { repoRoot } from "../lib/paths.mjs";
import { GiveUp, oneLine, plainText, until } from "../lib/wait.mjs";

/** @typedef {{ wb: import("../lib/workbench.mjs").Workbench, steps: import("../lib/steps.mjs").Steps, workspace: string, shot: (name: string, ...around: any[]) => Promise<string> }} Ctx */

const occurrences = (text, part) => text.split(part).length - 1;

/** Waits for LeNet-5's c1 line to show the hint → 28×28×6. The example's comment says
 * "→ 28×28×6" too: the hint is the occurrence the file lacks. */
async function c1HintShown(wb, workspace) {
  const source = readFileSync(join(workspace, "lenet5.cnn"), "utf8").split("\n").find((l) => l.includes("c1: conv 6 5x5"));
  const line = wb.editorLine("c1: conv 6 5x5");
  await until("the inlay hint → 28×28×6 on the c1 line", async () => occurrences(plainText(await line.innerText()), "→ 28×28×6") > occurrences(source, "→ 28×28×6"), {
    lastSeen: async () => `line: ${oneLine(await line.innerText())}\n  file: ${source}`,
  });
}

/** Waiting longer cannot help once the run view shows an error. */
async function noRunError(view) {
  const error = view.locator('[data-testid="run-error"]');
  if ((await error.count()) > 0 && (await error.isVisible())) throw new GiveUp(`the run view shows an error: ${oneLine(await error.innerText())}`);
}

/** Waits for the code lens above LeNet5. It arrives after the hints and pushes every line
 * down by one: a hover asked for before that can land on the wrong line. */
async function lenetCodeLensShown(wb) {
  return until("the code lens ▶ Run · 61,706 params above LeNet5", async () => (await wb.codeLenses()).find((t) => t.includes("Run") && t.includes("61,706 params")), {
    lastSeen: async () => (await wb.codeLenses()).join(" | ") || "(no code lens)",
  });
}

/** `restricted`: also played in Restricted Mode (the folder not trusted, ui/run-ui.mjs).
 * `files`: written into the workspace before the workbench starts (name → text).
 * @type {{ name: string, restricted?: boolean, files?: Record<string, string>, run: (ctx: Ctx) => Promise<void> }[]} */
export const scenarios = [
  {
    name: "inlay hint",
    restricted: true,
    async run({ wb, steps, shot, workspace }) {
      await steps.step("open lenet5.cnn", () => wb.openFile("lenet5.cnn"));
      await steps.step("the hint → 28×28×6 is drawn on the c1 conv line", async () => {
        await c1HintShown(wb, workspace);
      });
      await steps.step("the code lens above LeNet5 reads ▶ Run · 61,706 params · 0.42 MMAC", async () => {
        const lens = await lenetCodeLensShown(wb);
        if (!/Run · 61,706 params · 0\.42 MMAC/.test(lens)) throw new Error(`the code lens reads "${lens}"`);
        await shot("hint", wb.editorLine("LeNet-5 (LeCun"), wb.editorLine("softmax"));
      });
    },
  },
  {
    name: "hover",
    async run({ wb, steps, shot, workspace }) {
      await steps.step("open lenet5.cnn", () => wb.openFile("lenet5.cnn"));
      // the hint shows the language server has answered for this file: hovering earlier can
      // find no hover provider yet (the extension still starting), as a person would see too
      await steps.step("the language server has answered (the c1 hint and the code lens are drawn)", async () => {
        await c1HintShown(wb, workspace);
        await lenetCodeLensShown(wb);
      });
      await steps.step("hovering conv on the c1 line shows the formula (32 − 5 + 2·0)/1 + 1 = 28", async () => {
        const { locator, gestures } = await wb.hoverUntil("c1: conv 6 5x5", "conv", "(32 − 5 + 2·0)/1 + 1 = 28");
        if (gestures > 1) console.log(`    (the hover came on mouse move ${gestures})`);
        await shot("hover", locator, wb.editorLine("c1: conv 6 5x5"));
      });
      await wb.page.keyboard.press("Escape");
    },
  },
  {
    name: "run view",
    restricted: true,
    async run({ wb, steps, shot }) {
      await steps.step("open lenet5.cnn", () => wb.openFile("lenet5.cnn"));
      await steps.step("CNN: Run Network", () => wb.runCommand("CNN: Run Network"));
      const view = await steps.step("the run view appears", () => wb.webviewFrame('[data-testid="run-progress"], [data-testid="top5"]'));
      await steps.step("it shows each of LeNet-5's 11 layers (6 heatmaps, 5 vectors as labelled bars), the top-5 and the total time", async () => {
        await until("the run to finish (top-5 rows and a total time)", async () => {
          await noRunError(view);
          return (await view.locator('[data-testid="top5"] [data-testid="top5-row"]').count()) === 5 &&
            (await view.locator('[data-testid="run-total-ms"]').count()) > 0;
        }, { timeout: 60_000, lastSeen: async () => oneLine(await view.locator("body").innerText()) });
        const sizes = await view.locator('[data-testid="layer-heatmap"], [data-testid="layer-vector"]').evaluateAll((drawn) => drawn.map((c) => [c.width.baseVal?.value ?? c.width, c.height.baseVal?.value ?? c.height]));
        if (sizes.length !== 11) throw new Error(`${sizes.length} layers drawn, expected one per layer (11)`);
        const vectors = await view.locator('[data-testid="layer-vector"]').count();
        if (vectors !== 5) throw new Error(`${vectors} vectors drawn as bars, expected 5 (c5, f6, sigmoid, out, softmax)`);
        if (sizes.some(([w, h]) => !(w > 0 && h > 0))) throw new Error(`an empty heatmap: ${JSON.stringify(sizes)}`);
        const total = plainText(await view.locator('[data-testid="run-total-ms"]').innerText());
        if (!/\d+(\.\d+)? ms/.test(total)) throw new Error(`the total time reads "${total}"`);
        await shot("run-view");
      });
      await steps.step("next to the output: the untrained notice (seeded weights) and the classes named as digits (LeNet-5 runs a digit sample)", async () => {
        const notice = view.locator('[data-testid="untrained-notice"]');
        if (!(await notice.isVisible())) throw new Error("no untrained notice beside the output of seeded weights");
        const said = plainText(await notice.innerText());
        if (!/untrained: random weights, seed 0/.test(said) || !/does not mean anything yet/.test(said)) throw new Error(`the untrained notice reads "${said}"`);
        const classes = (await view.locator('[data-testid="top5-class"]').allInnerTexts()).map(plainText);
        if (classes.length !== 5 || !classes.every((c) => /^[0-9]$/.test(c))) throw new Error(`the top-5 classes read ${JSON.stringify(classes)}, expected five digits`);
        await shot("run-view-untrained-classes");
      });
      await steps.step("code-server's webviews are not cross-origin isolated: the view says it runs on one thread, and why", async () => {
        const isolated = await view.locator("body").evaluate(() => globalThis.crossOriginIsolated === true);
        const threads = plainText(await view.locator('[data-testid="run-threads"]').innerText());
        if (isolated) {
          if (!/^\d+ threads?$/.test(threads)) throw new Error(`an isolated view reads "${threads}"`);
        } else if (!/^1 thread \(.*not cross-origin isolated.*--enable-coi\)$/.test(threads)) throw new Error(`the threads note reads "${threads}"`);
      });
    },
  },
  {
    // VS Code cuts the hints of a line at editor.inlayHints.maximumLength (43 by default,
    // counted over all the hints of the line): the extension sets it to 0 for .cnn files,
    // and the hints are short. A line with three hints (~70 characters) shows them whole.
    name: "hint length",
    files: {
      "resnet50.cnn": readFileSync(join(repoRoot, "examples", "resnet50.cnn"), "utf8"),
      "inception.cnn": "network Inception3a {\n  input 28x28x192\n  concat {\n    branch { conv 64 1x1 }\n    branch { conv 96 1x1; relu; conv 128 3x3 pad 1 }\n  }\n}\n",
    },
    async run({ wb, steps, shot }) {
      await steps.step("open resnet50.cnn", () => wb.openFile("resnet50.cnn"));
      await steps.step("the network line shows its whole hint: → 1000 · 25,557,032 params · 4.09 GMAC", async () => {
        // the network and its stages, on screen
        await wb.goToLine(52, 1);
        const line = wb.editorLine("network ResNet50 {");
        await until("the network line's hint", async () => plainText(await line.innerText()).includes("→ 1000 · 25,557,032 params · 4.09 GMAC"), {
          lastSeen: async () => plainText(await line.innerText()),
        });
        const stage = wb.editorLine("layer2: Stage(128, 4, 2)");
        await until("the layer2 line's hint", async () => plainText(await stage.innerText()).includes("→ 28×28×512 · 1,219,584 params"), { lastSeen: async () => plainText(await stage.innerText()) });
        const cut = (await wb.editor.locator(".view-line").allInnerTexts()).filter((t) => t.includes("…"));
        if (cut.length) throw new Error(`a hint is cut: ${cut.map((t) => plainText(t)).join(" | ")}`);
        await shot("hint-length", wb.editorLine("network ResNet50 {"), wb.editorLine("fc 1000"));
      });
      await steps.step("open inception.cnn: three hints on one line, ~70 characters, all whole", () => wb.openFile("inception.cnn"));
      await steps.step("no hint of the branch line is cut", async () => {
        // the hints sit between the statements: the line's text is not the file's
        const line = wb.editorLine("branch { conv 96 1x1");
        const want = ["→ 28×28×96 · 18,528 params", "→ 28×28×96", "→ 28×28×128 · 110,720 params"];
        await until("the three hints of the branch line", async () => {
          const text = plainText(await line.innerText());
          return want.every((w) => text.includes(w)) && !text.includes("…");
        }, { lastSeen: async () => plainText(await line.innerText()) });
        await shot("hint-length-three", wb.editorLine("network Inception3a"), wb.editorLine("branch { conv 96"));
      });
    },
  },
  {
    // Show Summary opens below the source: the whole window's width. The table's last
    // column must be drawn inside the editor, not cut off at its right edge.
    name: "summary width",
    files: { "resnet50.cnn": readFileSync(join(repoRoot, "examples", "resnet50.cnn"), "utf8") },
    async run({ wb, steps, shot }) {
      await steps.step("open resnet50.cnn", () => wb.openFile("resnet50.cnn"));
      await steps.step("CNN: Show Summary", () => wb.runCommand("CNN: Show Summary"));
      const summary = wb.page.locator(".editor-instance .monaco-editor", { hasText: "Param #" }).first();
      await steps.step("the table opens below the source, Param # and MACs inside the editor", async () => {
        await until("the summary editor with its header", async () => (await summary.count()) > 0 && (await summary.locator(".view-line", { hasText: "MACs" }).count()) > 0, {
          timeout: 30_000,
          lastSeen: () => wb.visibleTabs(),
        });
        const table = await summary.boundingBox();
        // the other editor on screen is the source
        const boxes = await wb.page.locator(".editor-instance .monaco-editor").evaluateAll((editors) =>
          editors.filter((e) => !e.textContent.includes("Param #") && e.getBoundingClientRect().height > 0).map((e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; }),
        );
        const source = boxes[0];
        if (!source || !table || !(table.y >= source.y + source.height - 2)) throw new Error(`the summary is not below the source: source ${JSON.stringify(source)}, summary ${JSON.stringify(table)}`);
        // where the header's last word and the widest number end, against the editor's visible right edge
        const edges = await summary.evaluate((editor) => {
          const content = editor.querySelector(".lines-content")?.closest(".monaco-scrollable-element") ?? editor;
          const right = content.getBoundingClientRect().right;
          const endOf = (word) => {
            for (const line of editor.querySelectorAll(".view-line")) {
              const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.textContent.indexOf(word);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + word.length);
                return range.getBoundingClientRect().right;
              }
            }
            return null;
          };
          return { right, macs: endOf("MACs"), total: endOf("4,089,184,256") ?? endOf("1,464,336,384") };
        });
        if (edges.macs === null || edges.macs > edges.right) throw new Error(`the MACs column ends at ${edges.macs}, the editor at ${edges.right}`);
        if (edges.total !== null && edges.total > edges.right) throw new Error(`a MACs figure ends at ${edges.total}, past the editor's edge at ${edges.right}`);
        await shot("summary");
      });
    },
  },
  {
    // the light theme: the top-5 bars' tracks were the input background, white on white
    name: "light theme",
    async run({ wb, steps, shot }) {
      const workbenchClass = async () => (await wb.page.locator(".monaco-workbench").first().getAttribute("class")) ?? "";
      const pickTheme = async (name) => {
        // the command opens a second list in the same quick input: not wb.runCommand, which waits for it to close
        const input = wb.page.locator(".quick-input-widget input");
        await wb.page.keyboard.press("F1");
        await input.waitFor({ state: "visible" });
        await input.fill(">Preferences: Color Theme");
        const command = wb.page.locator(".quick-input-list .monaco-list-row", { hasText: "Preferences: Color Theme" }).first();
        await until("Preferences: Color Theme in the command list", async () => (await command.count()) > 0);
        await command.click();
        await until("the theme list", async () => /Color Theme/.test((await input.getAttribute("placeholder")) ?? ""), { lastSeen: async () => (await input.getAttribute("placeholder")) ?? "" });
        await input.fill(name);
        const row = wb.page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first();
        await until(`"${name}" in the theme list`, async () => (await row.count()) > 0, { lastSeen: async () => oneLine(await wb.page.locator(".quick-input-list").innerText().catch(() => "")) });
        await row.click();
        await input.waitFor({ state: "hidden" });
      };
      const before = await workbenchClass();
      await steps.step("switch to the light theme (Preferences: Color Theme → Light Modern)", async () => {
        await pickTheme("Light Modern");
        await until("a light workbench", async () => / vs( |$)/.test(` ${await workbenchClass()}`), { lastSeen: workbenchClass });
      });
      try {
        await steps.step("open lenet5.cnn and run it", async () => {
          await wb.openFile("lenet5.cnn");
          await wb.runCommand("CNN: Run Network");
        });
        const view = await steps.step("the run view appears", () => wb.webviewFrame('[data-testid="run-progress"], [data-testid="top5"]'));
        await steps.step("the top-5 bars' tracks show against the light page", async () => {
          await until("the run to finish", async () => {
            await noRunError(view);
            return (await view.locator('[data-testid="top5"] [data-testid="top5-row"]').count()) === 5 && (await view.locator('[data-testid="run-total-ms"]').count()) > 0;
          }, { timeout: 60_000, lastSeen: async () => oneLine(await view.locator("body").innerText()) });
          const tracks = await view.locator('[data-testid="top5-row"] .track').all();
          const png = PNG.sync.read(await wb.page.screenshot());
          const scale = png.width / wb.page.viewportSize().width;
          const luminance = (x, y) => {
            const i = (Math.round(y * scale) * png.width + Math.round(x * scale)) * 4;
            return 0.2126 * png.data[i] + 0.7152 * png.data[i + 1] + 0.0722 * png.data[i + 2];
          };
          for (const track of tracks) {
            const r = await track.boundingBox();
            const inside = luminance(r.x + r.width - 3, r.y + r.height / 2);
            const below = luminance(r.x + r.width - 3, r.y + r.height + 3);
            if (below < 200) throw new Error(`the page under the track is not light (${below.toFixed(0)}): is the theme light?`);
            if (below - inside < 40) throw new Error(`the track (${inside.toFixed(0)}) hardly shows on the page (${below.toFixed(0)})`);
          }
          await shot("run-view-light");
        });
      } finally {
        // back to the theme the other scenarios (and their screenshots) expect
        if (/vs-dark/.test(before)) await pickTheme("Dark Modern").catch(() => {});
      }
    },
  },
  {
    name: "cancel a run",
    async run({ wb, steps }) {
      // VGG-16 (15.5 GMAC) takes far longer on the CPU than the click needs to land
      await steps.step("open vgg16.cnn", () => wb.openFile("vgg16.cnn"));
      await steps.step("CNN: Run Network", () => wb.runCommand("CNN: Run Network"));
      const view = await steps.step("the run view shows VGG16 running", async () => {
        const frame = await wb.webviewFrame('[data-testid="run-cancel"]');
        await until("the view to show VGG16 with Cancel enabled", async () => {
          await noRunError(frame);
          return (await frame.locator("h1").innerText()).includes("VGG16") && (await frame.locator('[data-testid="run-cancel"]').isEnabled());
        }, {
          lastSeen: async () => `${await frame.locator("h1").innerText()}: ${oneLine(await frame.locator('[data-testid="run-progress"]').innerText())}`,
        });
        return frame;
      });
      await steps.step("Cancel stops it: no output, the progress says cancelled", async () => {
        await view.locator('[data-testid="run-cancel"]').click();
        const progress = view.locator('[data-testid="run-progress"]');
        await until("the progress to say cancelled", async () => /cancelled after \d+ of \d+ layers/.test(await progress.innerText()), {
          lastSeen: async () => oneLine(await progress.innerText()),
        });
        if (await view.locator('[data-testid="run-cancel"]').isEnabled()) throw new Error("Cancel is still enabled after cancelling");
        if ((await view.locator('[data-testid="top5-row"]').count()) > 0) throw new Error("a cancelled run shows a top-5");
        if ((await view.locator('[data-testid="run-total-ms"]').count()) > 0) throw new Error("a cancelled run shows a total time");
      });
    },
  },
  {
    // VS Code boxes characters that look like others (× like x) and, in Restricted Mode, every
    // non-ASCII character, comments included. The course's notation is the language's own
    // (`32×32×3` is valid, the examples' comments say `→ 28×28×6 · 156`): package.json allows
    // exactly × → · − in .cnn files. An invisible character must still be flagged: a zero-width
    // space (which the lexer skips as white space) is the control that shows the check ran.
    name: "course notation",
    restricted: true,
    // written before the workbench starts: a file created later may be missing from Quick Open's
    // index for a while (it was, once, on a fresh clone)
    files: { "notation.cnn": "network Notation {\n  input 32×32×3\n  conv 6 5×5   # (32 − 5)/1 + 1 = 28 → 28×28×6 · 456 params\n  relu\u200b\n}\n" },
    async run({ wb, steps }) {
      await steps.step("open notation.cnn (× → · − in code and comments, one zero-width space)", () => wb.openFile("notation.cnn"));
      await steps.step("only the zero-width space is flagged, not the notation", async () => {
        const flagged = wb.editor.locator(".unicode-highlight");
        await until("the zero-width space flagged", async () => (await flagged.count()) > 0, { lastSeen: async () => oneLine(await wb.editorText()) });
        // the boxes are drawn in an overlay layer: find the text line at each box's height
        const lines = await wb.editor.evaluate((editor) =>
          [...editor.querySelectorAll(".unicode-highlight")].map((box) => {
            const middle = box.getBoundingClientRect().top + box.getBoundingClientRect().height / 2;
            const line = [...editor.querySelectorAll(".view-line")].find((l) => {
              const r = l.getBoundingClientRect();
              return r.top <= middle && middle < r.bottom;
            });
            return line?.textContent ?? "(no text line at its height)";
          }),
        );
        if (lines.length !== 1 || !lines[0].includes("relu")) throw new Error(`flagged characters on: ${lines.map((l) => JSON.stringify(plainText(l))).join(", ")}`);
      });
    },
  },
  {
    name: "problems and quick fix",
    restricted: true,
    async run({ wb, steps, shot, workspace }) {
      const file = join(workspace, "stride_fit.cnn");
      const before = readFileSync(file, "utf8").split("\n");
      const misfitLine = before.findIndex((l) => l.includes("conv 1 3x3 stride 3")) + 1;
      await steps.step("open stride_fit.cnn", () => wb.openFile("stride_fit.cnn"));
      await steps.step("the Problems panel lists the stride-misfit", async () => {
        await wb.showProblems();
        await until("a stride-misfit row in the Problems panel", async () => (await wb.problemRows()).some((r) => r.includes("stride-misfit") && r.includes("2.33")), {
          lastSeen: async () => (await wb.problemRows()).join(" | ") || "(no rows)",
        });
        await shot("problems");
      });
      const fix = await steps.step("the light bulb on the misfit line offers the fixes", async () => {
        await wb.goToLine(misfitLine, 3);
        const { menu, titles } = await wb.openLightBulb();
        await shot("quick-fix", menu, wb.editorLine("conv 1 3x3 stride 3"));
        return { menu, titles };
      });
      await steps.step(`applying "${fix.titles[0]}" removes the diagnostic`, async () => {
        await wb.chooseAction(fix.menu, fix.titles[0]);
        await until("the stride-misfit row to leave the Problems panel", async () => !(await wb.problemRows()).some((r) => r.includes("stride-misfit")), {
          lastSeen: async () => (await wb.problemRows()).join(" | "),
        });
        await wb.page.keyboard.press(process.platform === "darwin" ? "Meta+S" : "Control+S");
        await until("the fixed file saved", () => readFileSync(file, "utf8") !== before.join("\n"));
        const after = readFileSync(file, "utf8").split("\n");
        if (after[misfitLine - 1] === before[misfitLine - 1]) throw new Error(`the fix left line ${misfitLine} as it was: ${after[misfitLine - 1]}`);
      });
    },
  },
  {
    // the inception module drawn as a graph; a click on a box moves the editor's cursor to
    // its line, and the cursor's layer is highlighted in the view
    name: "architecture view",
    restricted: true,
    files: { "inception.cnn": readFileSync(join(import.meta.dirname, "..", "..", "..", "examples", "inception.cnn"), "utf8") },
    async run({ wb, steps, shot, workspace }) {
      const source = readFileSync(join(workspace, "inception.cnn"), "utf8").split("\n");
      const lineOf = (part) => source.findIndex((l) => l.includes(part)) + 1;
      await steps.step("open inception.cnn", () => wb.openFile("inception.cnn"));
      await steps.step("put the cursor on line 1", () => wb.goToLine(1, 1));
      await steps.step("CNN: Show Architecture", () => wb.runCommand("CNN: Show Architecture"));
      const view = await steps.step("the view draws the module: 15 boxes, four paths into one concat, shapes on the edges", async () => {
        const frame = await wb.webviewFrame('[data-testid="arch-viewport"] g.box');
        await until("15 boxes, one concat, the input's shape on the four edges out of it", async () => {
          const boxes = await frame.locator("g.box").count();
          const concat = await frame.locator("g.box.kind-concat").count();
          const forks = await frame.locator('g.edge[data-shape="28×28×192"]').count();
          return boxes === 15 && concat === 1 && forks >= 4;
        }, { lastSeen: async () => `${await frame.locator("g.box").count()} boxes; ${oneLine(await frame.locator("body").innerText(), 300)}` });
        const title = plainText(await frame.locator('[data-testid="arch-title"]').innerText());
        if (title !== "Inception3a") throw new Error(`the view's title reads "${title}"`);
        return frame;
      });
      const target = lineOf("conv 128 3x3 pad 1");
      await steps.step(`clicking the box conv 128 3×3 moves the editor's cursor to its line (${target})`, async () => {
        const box = view.locator(`g.box.kind-conv[data-line="${target}"]`).filter({ hasText: "conv 128 3×3" });
        await box.first().click();
        await until(`the cursor on Ln ${target}`, async () => (await wb.statusBarText()).includes(`Ln ${target},`), { lastSeen: () => wb.statusBarText() });
        await shot("architecture");
      });
      const other = lineOf("conv 32 5x5 pad 2");
      await steps.step(`moving the cursor to line ${other} highlights that line's layers in the view`, async () => {
        await wb.goToLine(other, source[other - 1].indexOf("conv 32 5x5") + 1);
        await until("the conv 32 5×5 box highlighted", async () => {
          const current = await view.locator("g.box.current").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-line")));
          return current.length > 0 && current.every((l) => l === String(other));
        }, { lastSeen: async () => `highlighted: ${JSON.stringify(await view.locator("g.box.current").evaluateAll((gs) => gs.map((g) => g.textContent)))}` });
      });
    },
  },
  {
    name: "export ONNX",
    restricted: true,
    async run({ wb, steps, workspace }) {
      const file = join(workspace, "LeNet5.onnx");
      await steps.step("open lenet5.cnn", () => wb.openFile("lenet5.cnn"));
      const input = wb.page.locator(".quick-input-widget input");
      await steps.step("the Export ONNX… button of the editor title asks where to save, proposing LeNet5.onnx beside the file", async () => {
        await wb.editorTitleAction("Export ONNX…").click();
        await input.waitFor({ state: "visible" });
        await until("the save dialog to propose LeNet5.onnx in the workspace folder", async () => (await input.inputValue()) === file, {
          lastSeen: async () => `proposed: ${await input.inputValue()}`,
        });
      });
      await steps.step("saving writes the model and says so", async () => {
        await wb.page.keyboard.press("Enter");
        await until("the notification LeNet5 → LeNet5.onnx", async () => (await wb.notifications()).some((n) => /LeNet5 → LeNet5\.onnx \(ONNX opset 17, [\d.]+ kB, seed 0\)/.test(n)), {
          lastSeen: async () => (await wb.notifications()).join(" | ") || "(no notification)",
        });
        if (!existsSync(file)) throw new Error(`no ${file} after the notification`);
        const bytes = readFileSync(file);
        // 61,706 float32 weights, and the protobuf tag of ir_version first
        if (bytes.length < 61_706 * 4 || bytes[0] !== 0x08) throw new Error(`${file}: ${bytes.length} bytes starting with 0x${bytes[0]?.toString(16)}`);
        await wb.runCommand("Notifications: Clear All Notifications");
      });
    },
  },
  {
    // issue 12 item 4: LeNet-5 trained one epoch on MNIST in the run view (Adam, lr 1e-3,
    // batch 32, seed 0, in the extension host's training thread), then the run with the
    // trained weights says 7 for the MNIST 7 (the untrained, seeded net says 6). A copy of
    // lenet5.cnn, so that the weights saved beside it touch no other scenario's file, under a
    // name that no other scenario's Quick Open query matches (`lenet5_train.cnn` matched
    // "lenet5.cnn" and was opened in its place).
    name: "train in the run view",
    files: { "mnist_train.cnn": readFileSync(join(repoRoot, "examples", "lenet5.cnn"), "utf8") },
    async run({ wb, steps, shot, workspace }) {
      let trainedSteps = "";
      let lastAccuracy = "";
      await steps.step("open mnist_train.cnn", () => wb.openFile("mnist_train.cnn"));
      await steps.step("CNN: Run Network", () => wb.runCommand("CNN: Run Network"));
      const view = await steps.step("the run view runs the seeded LeNet-5 on the MNIST 7", async () => {
        const frame = await wb.webviewFrame('[data-testid="train-section"]');
        await until("the seeded run to finish", async () => {
          await noRunError(frame);
          return (await frame.locator('[data-testid="top5-row"]').count()) === 5 && (await frame.locator('[data-testid="run-total-ms"]').count()) > 0;
        }, { timeout: 60_000, lastSeen: async () => oneLine(await frame.locator("body").innerText()) });
        // the Train section may still be closed: its text, not what is drawn
        const weights = plainText((await frame.locator('[data-testid="train-weights"]').textContent()) ?? "");
        if (!/seeded, untrained/.test(weights)) throw new Error(`before training the view says the weights are "${weights}"`);
        const notice = frame.locator('[data-testid="untrained-notice"]');
        if (!(await notice.isVisible()) || !/Train section below/.test(await notice.innerText())) throw new Error("no untrained notice pointing to the Train section");
        return frame;
      });
      const train = view.locator('[data-testid="train-section"]');
      await steps.step("open the Train section: MNIST, 1 epoch, batch 32, Adam, lr 0.001 (the defaults)", async () => {
        if ((await train.getAttribute("open")) === null) await train.locator("summary").click();
        await view.locator('[data-testid="train-start"]').waitFor({ state: "visible" });
        const form = {
          data: await view.locator('[data-testid="train-data"]').inputValue(),
          epochs: await view.locator('[data-testid="train-epochs"]').inputValue(),
          batch: await view.locator('[data-testid="train-batch"]').inputValue(),
          optimizer: await view.locator('[data-testid="train-optimizer"]').inputValue(),
          lr: await view.locator('[data-testid="train-lr"]').inputValue(),
        };
        const want = { data: "mnist", epochs: "1", batch: "32", optimizer: "adam", lr: "0.001" };
        if (JSON.stringify(form) !== JSON.stringify(want)) throw new Error(`the form reads ${JSON.stringify(form)}, expected ${JSON.stringify(want)}`);
        const memory = plainText(await view.locator('[data-testid="train-memory"]').innerText());
        if (!/^needs .* of the .* memory budget$/.test(memory)) throw new Error(`the memory line reads "${memory}"`);
      });
      await steps.step("Start: the progress line shows loss, accuracy, samples/s and the ETA as it trains", async () => {
        await view.locator('[data-testid="train-start"]').click();
        const progress = view.locator('[data-testid="train-progress"]');
        await until("a progress line with samples/s and the ETA", async () => {
          const t = plainText(await progress.innerText());
          if (/not trained|failed|^done/.test(t)) throw new GiveUp(`no progress seen while training: ${oneLine(await train.innerText())}`);
          return /^epoch 1\/1 · batch \d+\/\d+ · loss [\d.]+ · train [\d.]+ % · [\d,]+ samples\/s · ETA \d+:\d\d$/.test(t);
        }, { timeout: 180_000, lastSeen: async () => oneLine(await progress.innerText()) });
      });
      await steps.step("Pause holds it at the next batch (the extension host answers while the thread trains); Resume goes on", async () => {
        const status = view.locator('[data-testid="train-status"]');
        const progress = view.locator('[data-testid="train-progress"]');
        await view.locator('[data-testid="train-pause"]').click();
        await until("the thread to say paused", async () => /^paused at step [\d,]+ — \d+ ms after the click$/.test(plainText(await status.innerText())), {
          lastSeen: async () => oneLine(await status.innerText()),
        });
        const paused = plainText(await status.innerText());
        console.log(`    (${paused})`);
        const held = await progress.innerText();
        await new Promise((r) => setTimeout(r, 1000));
        if ((await progress.innerText()) !== held) throw new Error(`it went on training while paused: ${oneLine(held)} → ${oneLine(await progress.innerText())}`);
        if ((await view.locator('[data-testid="train-pause"]').innerText()).trim() !== "Resume") throw new Error("the Pause button does not offer Resume");
        await view.locator('[data-testid="train-pause"]').click();
        await until("the thread to run again", async () => /^running again from step/.test(plainText(await status.innerText())) || plainText(await progress.innerText()).startsWith("done:"), {
          lastSeen: async () => oneLine(await status.innerText()),
        });
      });
      await steps.step("after one epoch: the loss curve, the test accuracy, the confusion matrix, the mistakes and c1's filters", async () => {
        const progress = view.locator('[data-testid="train-progress"]');
        await until("training to finish", async () => {
          const t = plainText(await progress.innerText());
          if (/not trained|failed/.test(t)) throw new GiveUp(`training failed: ${oneLine(await train.innerText())}`);
          return t.startsWith("done:");
        }, { timeout: 600_000, lastSeen: async () => oneLine(await progress.innerText()) });
        const done = plainText(await progress.innerText());
        const m = /^done: ([\d,]+) steps in 1 epoch at ([\d,]+) samples\/s · test accuracy ([\d.]+) %$/.exec(done);
        if (!m) throw new Error(`the progress line reads "${done}"`);
        console.log(`    (${done})`);
        const accuracy = Number(m[3]);
        if (accuracy < 60) throw new Error(`one epoch reached only ${accuracy} % of the test digits`);
        trainedSteps = m[1];
        lastAccuracy = m[3];
        const lossPoints = Number(await view.locator('[data-testid="train-loss-plot"]').getAttribute("data-points"));
        if (!(lossPoints >= 100)) throw new Error(`the loss curve has ${lossPoints} points`);
        const accuracyPoints = Number(await view.locator('[data-testid="train-accuracy-plot"]').getAttribute("data-points"));
        if (accuracyPoints !== 1) throw new Error(`the accuracy plot has ${accuracyPoints} epochs`);
        const cells = await view.locator('[data-testid="confusion-cell"]').allInnerTexts();
        if (cells.length !== 100) throw new Error(`the confusion matrix has ${cells.length} cells, expected 10×10`);
        const counts = cells.map((c) => Number(c.replace(/[^\d]/g, "")));
        const total = counts.reduce((a, b) => a + b, 0);
        const right = counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
        if (Math.abs(right / total - accuracy / 100) > 0.0006) throw new Error(`the matrix's diagonal (${right} of ${total}) is not the test accuracy ${accuracy} %`);
        const mistakes = await view.locator('[data-testid="mistake"]').count();
        if (mistakes !== Math.min(48, total - right)) throw new Error(`${mistakes} misclassified pictures shown for ${total - right} mistakes`);
        const filters = await view.locator('[data-testid="filters"]').getAttribute("aria-label");
        if (filters !== "6 learned filters of c1 (conv)") throw new Error(`the filters read "${filters}"`);
        await train.locator('[data-testid="train-loss-plot"]').scrollIntoViewIfNeeded();
        await shot("train-curves");
      });
      await steps.step("the run now uses the trained weights: the MNIST 7 says 7", async () => {
        const first = view.locator('[data-testid="top5-row"]').first();
        await until("the run with the trained weights to put 7 first (the digit's class name, or class 7)", async () => {
          await noRunError(view);
          const total = await view.locator("div.total").innerText().catch(() => "");
          return /weights: trained in this view/.test(total) && /^1\. (class )?7 [\d.]+ ?%$/.test(oneLine(await first.innerText())) && !(await view.locator('[data-testid="untrained-notice"]').isVisible());
        }, { timeout: 60_000, lastSeen: async () => `${oneLine(await first.innerText().catch(() => ""))} | ${oneLine(await view.locator("div.total").innerText().catch(() => ""))}` });
        const weights = plainText(await view.locator('[data-testid="train-weights"]').innerText());
        if (weights !== `trained here: ${trainedSteps} steps on mnist, test ${(Number(lastAccuracy)).toFixed(1)} % · not saved`) throw new Error(`the weights line reads "${weights}"`);
        console.log(`    (top-1: ${oneLine(await first.innerText())})`);
        await view.locator('[data-testid="top5"]').scrollIntoViewIfNeeded();
        await shot("train-output");
      });
      await steps.step("Save weights writes mnist_train.safetensors beside the design, which cnn run reads", async () => {
        await view.locator('[data-testid="train-save"]').click();
        const file = join(workspace, "mnist_train.safetensors");
        await until("mnist_train.safetensors in the workspace", async () => existsSync(file), { timeout: 30_000, lastSeen: async () => (await wb.notifications()).join(" | ") || "(no notification)" });
        await until("the weights line to say saved", async () => /saved as mnist_train\.safetensors/.test(await view.locator('[data-testid="train-weights"]').innerText()), {
          lastSeen: async () => oneLine(await view.locator('[data-testid="train-weights"]').innerText()),
        });
        const r = spawnSync(process.execPath, [join(repoRoot, "dist", "cli", "cnn.js"), "run", join(workspace, "mnist_train.cnn"), "--sample", "digit7", "--json"], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`cnn run: ${r.stderr}`);
        const scores = JSON.parse(r.stdout).output.data;
        if (scores.indexOf(Math.max(...scores)) !== 7) throw new Error(`cnn run with the saved weights says ${scores.indexOf(Math.max(...scores))}`);
      });
    },
  },
];
