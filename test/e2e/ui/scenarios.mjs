// What a person does with the extension, checked on what the workbench draws. Each scenario
// gets the shared workbench and leaves it with no dirty editor.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
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
      await steps.step("it shows a heatmap for each of LeNet-5's 11 layers, the top-5 and the total time", async () => {
        await until("the run to finish (top-5 rows and a total time)", async () => {
          await noRunError(view);
          return (await view.locator('[data-testid="top5"] [data-testid="top5-row"]').count()) === 5 &&
            (await view.locator('[data-testid="run-total-ms"]').count()) > 0;
        }, { timeout: 60_000, lastSeen: async () => oneLine(await view.locator("body").innerText()) });
        const sizes = await view.locator('[data-testid="layer-heatmap"]').evaluateAll((canvases) => canvases.map((c) => [c.width, c.height]));
        if (sizes.length !== 11) throw new Error(`${sizes.length} layer heatmaps, expected one per layer (11)`);
        if (sizes.some(([w, h]) => !(w > 0 && h > 0))) throw new Error(`an empty heatmap: ${JSON.stringify(sizes)}`);
        const total = plainText(await view.locator('[data-testid="run-total-ms"]').innerText());
        if (!/\d+(\.\d+)? ms/.test(total)) throw new Error(`the total time reads "${total}"`);
        await shot("run-view");
      });
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
];
