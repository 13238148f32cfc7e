// Drives the VS Code workbench the way a person does: keyboard shortcuts, the command
// palette, the mouse over text. Every wait is on DOM state (see wait.mjs).
import { oneLine, plainText, until } from "./wait.mjs";

const isMac = process.platform === "darwin";
const mod = isMac ? "Meta" : "Control";

export class Workbench {
  /** @param {any} page a playwright Page */
  constructor(page) {
    this.page = page;
  }

  /** The editor that has focus (the active group's visible code editor). */
  get editor() {
    return this.page.locator(".editor-group-container.active .editor-instance .monaco-editor").first();
  }

  async open(url) {
    await this.page.goto(url, { waitUntil: "domcontentloaded" });
    await this.page.waitForSelector(".monaco-workbench", { timeout: 60_000 });
    // the workspace folder is listed once the file service and the explorer are up
    await this.page.waitForSelector(".explorer-folders-view .monaco-list-row", { timeout: 60_000 });
  }

  async focusWorkbench() {
    await this.page.locator(".explorer-folders-view .monaco-list-row").first().click();
  }

  /** No editors, no panel: each scenario starts from the same layout (and its screenshots too). */
  async resetLayout() {
    if ((await this.page.locator(".tab").count()) > 0) {
      await this.runCommand("Close All Editor Groups");
      await until("every editor closed", async () => (await this.page.locator(".tab").count()) === 0, { lastSeen: () => this.visibleTabs() });
    }
    const panel = this.page.locator(".part.panel");
    if ((await panel.count()) > 0 && (await panel.isVisible())) {
      await this.page.keyboard.press(`${mod}+J`);
      await panel.waitFor({ state: "hidden" });
    }
  }

  /** Quick Open (Ctrl+P) a file of the workspace by name; resolves when its editor is active. */
  async openFile(name) {
    // Quick Open searches an index of the folder; a file it has not indexed yet shows as "No
    // matching results" until the list is asked again: close it and type once more
    for (let attempt = 1; ; attempt++) {
      try {
        await this.quickInput(`${mod}+P`, name, name, attempt < 3 ? 10_000 : 30_000);
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
        await this.page.keyboard.press("Escape");
      }
    }
    await until(`the editor tab of ${name}`, async () => (await this.page.locator(`.tab.active[aria-label^="${name}"]`).count()) > 0, {
      lastSeen: () => this.visibleTabs(),
    });
    await this.editor.locator(".view-lines").waitFor();
  }

  /** Runs a command from the command palette by its title ("CNN: Run Network"). */
  async runCommand(title) {
    await this.quickInput("F1", title, title);
  }

  async quickInput(shortcut, text, rowText, timeout = 30_000) {
    await this.page.keyboard.press(shortcut);
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(shortcut === "F1" ? `>${text}` : text);
    const row = this.page.locator(".quick-input-list .monaco-list-row", { hasText: rowText }).first();
    await until(`"${rowText}" in the quick input list`, async () => (await row.count()) > 0, {
      timeout,
      lastSeen: async () => oneLine(await this.page.locator(".quick-input-list").innerText().catch(() => "")),
    });
    await row.click();
    await input.waitFor({ state: "hidden" });
  }

  /** Moves the cursor (Ctrl+G), 1-based like the status bar. */
  async goToLine(line, column = 1) {
    await this.editor.click({ position: { x: 5, y: 5 } }); // focus the editor, not the panel
    await this.page.keyboard.press("Control+G");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press("Enter");
    await input.waitFor({ state: "hidden" });
    await until(`the cursor at Ln ${line}, Col ${column}`, async () => (await this.statusBarText()).includes(`Ln ${line}, Col ${column}`), {
      lastSeen: () => this.statusBarText(),
    });
  }

  /** The status bar entry VS Code shows while the window is in Restricted Mode. */
  restrictedModeEntry() {
    return this.page.locator('.statusbar-item[id="status.workspaceTrust"]');
  }

  /** Waits for the Restricted Mode entry, and checks it names this folder as not trusted. */
  async restrictedModeShown() {
    const entry = this.restrictedModeEntry();
    await until("the Restricted Mode entry in the status bar", async () => (await entry.count()) > 0 && /Restricted Mode/.test(await entry.innerText()), {
      lastSeen: () => this.statusBarText(),
    });
    const label = (await entry.getAttribute("aria-label")) ?? "";
    if (!/folder is not trusted/.test(label)) throw new Error(`the Restricted Mode entry reads "${label}"`);
  }

  async statusBarText() {
    return plainText(await this.page.locator(".statusbar").innerText());
  }

  /** The text of the visible lines of the active editor, inlay hints included. */
  async editorText() {
    return plainText(await this.editor.locator(".view-lines").innerText());
  }

  async waitForEditorText(what, predicate, timeout = 30_000) {
    return until(what, async () => predicate(await this.editorText()), { timeout, lastSeen: async () => oneLine(await this.editorText(), 600) });
  }

  /** The code lenses drawn in the active editor, each as one line of text. */
  async codeLenses() {
    return (await this.editor.locator(".codelens-decoration").allInnerTexts()).map((t) => oneLine(t));
  }

  /** One rendered editor line (`.view-line`) whose text contains `text`. */
  editorLine(text) {
    return this.editor.locator(".view-line", { hasText: text }).first();
  }

  /** Puts the mouse over the first occurrence of `word` in the editor line containing `lineText`. */
  async hoverWord(lineText, word) {
    const line = this.editorLine(lineText);
    await line.waitFor();
    const box = await line.evaluate((el, target) => {
      const text = (el.textContent ?? "").replace(/\u00a0/g, " ");
      let at = text.indexOf(target);
      if (at < 0) return null;
      // find the text node and offset of that character range
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      let offset = 0;
      let started = false;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const len = node.textContent.length;
        if (!started && at < offset + len) {
          range.setStart(node, at - offset);
          started = true;
        }
        if (started && at + target.length <= offset + len) {
          range.setEnd(node, at + target.length - offset);
          const r = range.getBoundingClientRect();
          return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
        }
        offset += len;
      }
      return null;
    }, word);
    if (!box) throw new Error(`"${word}" not found in the editor line containing "${lineText}"`);
    await this.page.mouse.move(box.x - 30, box.y + 40); // come from elsewhere: hover triggers on a move
    await this.page.mouse.move(box.x, box.y, { steps: 4 });
  }

  /**
   * Hovers `word` on the line containing `lineText` until the hover shows `expected`. A hover
   * asked for while the line is still being redrawn (hints and semantic colours arriving) can be
   * dropped by the editor; a person would move the mouse again, and so does this.
   */
  async hoverUntil(lineText, word, expected, timeout = 20_000) {
    const hover = this.page.locator(".monaco-hover:not(.hidden)").filter({ hasText: expected }).first();
    const deadline = Date.now() + timeout;
    let gestures = 0;
    while (Date.now() < deadline) {
      await this.hoverWord(lineText, word);
      gestures++;
      const shown = await hover.waitFor({ state: "visible", timeout: Math.min(4000, Math.max(1, deadline - Date.now())) }).then(() => true, () => false);
      if (shown) return { locator: hover, text: plainText(await hover.innerText()), gestures };
    }
    const seen = oneLine((await this.page.locator(".monaco-hover:not(.hidden)").allInnerTexts().catch(() => [])).join(" | ")) || "(no hover shown)";
    throw new Error(`no hover containing "${expected}" after ${gestures} moves of the mouse over "${word}" in ${timeout / 1000} s\n  on screen: ${seen}`);
  }

  /** A button of the active editor's title bar, by its label ("Run Network"). */
  editorTitleAction(label) {
    return this.page.locator(`.editor-group-container.active .editor-actions .action-label[aria-label="${label}"]`);
  }

  /** The notification toasts on screen, each as one line of text. */
  async notifications() {
    return (await this.page.locator(".notification-toast").allInnerTexts().catch(() => [])).map((t) => oneLine(t));
  }

  async showProblems() {
    await this.page.keyboard.press(`${mod}+Shift+M`);
    await this.page.locator(".markers-panel").waitFor({ state: "visible" });
  }

  /** Rows of the Problems panel, each as one line of text. */
  async problemRows() {
    const rows = await this.page.locator(".markers-panel .monaco-list-row").allInnerTexts();
    return rows.map((r) => oneLine(r));
  }

  /** Opens the code actions of the cursor position through the light bulb; returns the menu rows. */
  async openLightBulb() {
    const bulb = this.page.locator(".lightBulbWidget, .gutter-lightbulb").filter({ visible: true }).first();
    await until("the light bulb beside the cursor", async () => (await bulb.count()) > 0, {
      lastSeen: async () => `status bar: ${await this.statusBarText()}`,
    });
    await bulb.click();
    const menu = this.page.locator(".action-widget").filter({ visible: true }).first();
    await menu.waitFor({ state: "visible" });
    await until("quick fixes in the light bulb menu", async () => (await menu.locator(".monaco-list-row.action").count()) > 0, {
      lastSeen: async () => oneLine(await menu.innerText()),
    });
    const titles = await menu.locator(".monaco-list-row.action").evaluateAll((rows) => rows.map((r) => r.getAttribute("aria-label")));
    return { menu, titles };
  }

  /** Picks an entry of the open light bulb menu with the keyboard, as the menu expects. */
  async chooseAction(menu, title) {
    const rows = menu.locator(".monaco-list-row.action");
    const count = await rows.count();
    for (let i = 0; i <= count; i++) {
      const focused = await menu.locator(".monaco-list-row.action.focused").getAttribute("aria-label").catch(() => null);
      if (focused === title) {
        await this.page.keyboard.press("Enter");
        await menu.waitFor({ state: "hidden" });
        return;
      }
      await this.page.keyboard.press("ArrowDown");
    }
    throw new Error(`no "${title}" in the light bulb menu`);
  }

  /** The webview frame (the inner, content frame) in which `selector` exists. */
  async webviewFrame(selector, timeout = 60_000) {
    return until(`a webview showing ${selector}`, async () => {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
      }
      return undefined;
    }, { timeout, lastSeen: () => this.visibleTabs() });
  }

  async visibleTabs() {
    const tabs = await this.page.locator(".tab").allInnerTexts().catch(() => []);
    return `tabs: ${tabs.map((t) => oneLine(t, 60)).join(" | ") || "(none)"}`;
  }

  /** Everything a person would read on screen right now, for a failure report. */
  async describeScreen() {
    const read = async (selector) => {
      const texts = await this.page.locator(selector).allInnerTexts().catch(() => []);
      return texts.map((t) => plainText(t).trim()).filter(Boolean).join("\n---\n");
    };
    const parts = [
      ["tabs", await this.visibleTabs()],
      ["active editor", await this.editorText().catch(() => "")],
      ["panel", await read(".part.panel")],
      ["notifications", await read(".notifications-toasts, .notification-toast")],
      ["quick input", await read(".quick-input-widget:visible")],
      ["hover", await read(".monaco-hover:visible")],
      ["status bar", await this.statusBarText().catch(() => "")],
    ];
    return parts.filter(([, t]) => t).map(([name, t]) => `[${name}]\n${t}`).join("\n\n");
  }
}
