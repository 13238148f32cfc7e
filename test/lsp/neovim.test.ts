// The server driven by a second, real LSP client: Neovim, headless (Debian's neovim
// package, 0.7; test/e2e/install.sh installs it). Neovim's own client does the work —
// its didOpen/didChange, its diagnostics, its code-lens runner, its workspace-edit
// applier — the scenario only presses the keys (test/neovim/harness.lua). Checked:
// settings as Neovim users write them (`settings = {cnn = …}`, `init_options`),
// diagnostics, hover, a code action applied, inlay hints by request, the Summary code
// lens run by vim.lsp.codelens.run(), and cnn.run through workspace/executeCommand.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./support/client";
import { runNeovim, type NeovimRun } from "../support/neovim";

const misfit = "network Misfit {\n  input 7x7x1\n  conv 1 3x3 stride 3\n  relu\n}\n";
const lenet = readFileSync(join(root, "examples", "lenet5.cnn"), "utf8");

const scenario = String.raw`
local notes = {}
local notify = vim.notify
vim.notify = function(message, level, opts)
  table.insert(notes, tostring(message))
  return notify(message, level, opts)
end
local shown = {}
local show_message = vim.lsp.handlers["window/showMessage"]
vim.lsp.handlers["window/showMessage"] = function(err, result, ctx, config)
  table.insert(shown, result.message)
  return show_message(err, result, ctx, config)
end

-- settings as a Neovim user writes them: settings = { cnn = { … } }
local doc = H.open(H.dir .. "/misfit.cnn", { settings = { cnn = { inlayHints = { macs = true } } } })
local version = vim.lsp.util.buf_versions[doc.bufnr]
local diagnostics = H.diagnostics(doc)
-- the diagnostics as the protocol has them (0.7 keeps only the code in user_data)
local lsp = {}
for _, d in ipairs(diagnostics) do
  table.insert(lsp, { range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } }, message = d.message, code = d.code, severity = d.severity, source = d.source })
end
H.record("diagnostics", vim.tbl_map(function(d) return { code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code), message = d.message, lnum = d.lnum, col = d.col } end, diagnostics))

local hover = H.request(doc, "textDocument/hover", { textDocument = H.text_document(doc), position = { line = 2, character = 3 } })
H.record("hover", hover and hover.contents and (hover.contents.value or hover.contents) or vim.NIL)

-- inlay hints by request (0.7 has no inlay-hint UI; 0.10+ would show these same hints)
local function hints()
  local list = H.request(doc, "textDocument/inlayHint", { textDocument = H.text_document(doc), range = { start = { line = 0, character = 0 }, ["end"] = { line = 10, character = 0 } } })
  return vim.tbl_map(function(h) return { line = h.position.line, label = type(h.label) == "string" and h.label or vim.NIL } end, list or {})
end
-- the settings arrive after initialize (didChangeConfiguration, workspace/configuration): wait for them to apply
H.wait("the settings to apply to the conv's hint", function()
  for _, h in ipairs(hints()) do
    if h.line == 2 and type(h.label) == "string" and h.label:find("MAC") then return true end
  end
  return false
end)
H.record("hints", hints())

-- the preferred quick fix, applied as Neovim applies a workspace edit
local range = lsp[1].range
local actions = H.request(doc, "textDocument/codeAction", { textDocument = H.text_document(doc), range = range, context = { diagnostics = lsp } })
H.record("actions", vim.tbl_map(function(a) return a.title end, actions or {}))
local preferred
for _, a in ipairs(actions or {}) do
  if a.isPreferred then preferred = a end
end
if not preferred then H.fail("no preferred code action") end
vim.lsp.util.apply_workspace_edit(preferred.edit, "utf-16")
H.record("after_fix", H.lines(doc))
H.wait("a new version after the edit", function() return vim.lsp.util.buf_versions[doc.bufnr] ~= version end)
H.record("diagnostics_after_fix", #H.diagnostics(doc))

-- the Summary code lens, run the way a user runs it (:lua vim.lsp.codelens.run())
vim.lsp.codelens.refresh()
H.wait("the code lenses", function() return #(vim.lsp.codelens.get(doc.bufnr) or {}) >= 2 end)
H.record("lenses", vim.tbl_map(function(l) return l.command and l.command.title or vim.NIL end, vim.lsp.codelens.get(doc.bufnr)))
vim.ui.select = function(items, opts, choice)
  for i, item in ipairs(items) do
    local title = (item.command or (item[1] and item[1].command) or {}).title or ""
    if type(item) == "table" and title == "Summary" then return choice(item, i) end
  end
  for i, item in ipairs(items) do
    local text = opts and opts.format_item and opts.format_item(item) or vim.inspect(item)
    if text:find("Summary") then return choice(item, i) end
  end
  choice(nil, nil)
end
vim.api.nvim_win_set_cursor(0, { 1, 0 })
vim.lsp.codelens.run()
-- shown as a document where the client can show one (0.10+), else in a message (0.7)
local function summary()
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b):find("summary") then
      vim.fn.bufload(b)
      return table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), "\n")
    end
  end
  for _, m in ipairs(shown) do
    if m:find("Total params") then return m end
  end
  return nil
end
H.wait("the summary to be shown", function() return summary() ~= nil end)
H.record("summary", summary())

-- cnn.run, executed in the server (the saved file: LeNet-5)
local lenet = H.open(H.dir .. "/lenet5.cnn", { init_options = { settings = { cnn = { shapeFormat = "CxHxW" } } } })
local run = H.request(lenet, "workspace/executeCommand", { command = "cnn.run", arguments = { lenet.uri, "LeNet5" } }, 30000)
H.record("run", run)
local lenet_hints = H.request(lenet, "textDocument/inlayHint", { textDocument = H.text_document(lenet), range = { start = { line = 4, character = 0 }, ["end"] = { line = 5, character = 0 } } })
H.record("init_options_hint", lenet_hints[1] and lenet_hints[1].label or vim.NIL)

H.record("notes", notes)
H.record("shown", shown)
`;

describe("Neovim, headless, as the LSP client", function () {
  this.timeout(120_000);
  let run: NeovimRun;
  before(async () => {
    run = await runNeovim(scenario, { root, files: { "misfit.cnn": misfit, "lenet5.cnn": lenet } });
  });

  it("runs the scenario to the end", () => {
    assert.deepEqual(run.errors, [], `Neovim ${run.version}:\n${run.stderr.slice(-2000)}`);
    assert.match(run.version, /^0\.\d+\.\d+$/);
  });

  it("diagnostics: the stride misfit, located", () => {
    const diagnostics = run.steps.diagnostics as { code: string; message: string; lnum: number; col: number }[];
    assert.deepEqual(diagnostics.map((d) => [d.code, d.lnum]), [["stride-misfit", 2]]);
    assert.match(diagnostics[0].message, /^stride 3 doesn't fit: \(7 − 3 \+ 2·0\)\/3 \+ 1 = 2\.33/);
  });

  it("hover: the arithmetic", () => {
    assert.match(String(run.steps.hover), /\(7 − 3 \+ 2·0\)\/3 \+ 1 = 2\.33/);
  });

  it("settings = {cnn = …} and init_options = {settings = {cnn = …}} are applied", () => {
    const hints = run.steps.hints as { line: number; label: string }[];
    assert.ok(hints.some((h) => h.line === 2 && /^→ 2×2×1 · 10 params · 36 MACs$/.test(h.label)), JSON.stringify(hints));
    assert.equal(run.steps.init_options_hint, "→ 6×28×28 · 156 params");
  });

  it("a code action applied by Neovim removes the diagnostic", () => {
    assert.equal((run.steps.actions as string[])[0], "Fit with pad 1");
    assert.equal((run.steps.after_fix as string[])[2], "  conv 1 3x3 stride 3 pad 1");
    assert.equal(run.steps.diagnostics_after_fix, 0);
  });

  it("the Summary code lens runs (executeCommandProvider) and shows the table (a document on 0.10+, a message on 0.7)", () => {
    assert.deepEqual(run.steps.lenses, ["▶ Run · 10 params · 81 MACs", "Summary"]);
    assert.ok(!(run.steps.notes as string[]).some((n) => /does not support command/.test(n)), JSON.stringify(run.steps.notes));
    assert.match(String(run.steps.summary), /^Misfit {2}\(misfit\.cnn:1\)$/m);
    assert.match(String(run.steps.summary), /^Total params: 10$/m);
  });

  it("cnn.run through workspace/executeCommand: the top-5, and said in a message", () => {
    const result = run.steps.run as { network: string; top5: { index: number; probability: number }[]; json: string };
    assert.equal(result.network, "LeNet5");
    assert.equal(result.top5.length, 5);
    assert.ok((run.steps.shown as string[]).some((m) => /^LeNet5 ran in [\d.]+ ms · top 5: /.test(m)), JSON.stringify(run.steps.shown));
  });
});

describe("Neovim 0.7: the setup of docs/EDITORS.md, as written", function () {
  this.timeout(120_000);

  it("starts the server with npm --prefix, attaches, shows diagnostics, hints as virtual text and the code lens", async () => {
    const doc = readFileSync(join(root, "docs", "EDITORS.md"), "utf8");
    const block = /<!-- neovim-0\.7-setup -->\s*```lua\n([\s\S]*?)```/.exec(doc);
    assert.ok(block, "docs/EDITORS.md has the marked 0.7 setup");
    const scenario = `
${block[1]}
vim.cmd("edit " .. vim.fn.fnameescape(H.dir .. "/misfit.cnn"))
local bufnr = vim.api.nvim_get_current_buf()
H.record("filetype", vim.bo[bufnr].filetype)
H.wait("the client to attach", function() return #vim.lsp.buf_get_clients(bufnr) == 1 end, 20000)
H.wait("the diagnostics", function() return #vim.diagnostic.get(bufnr) > 0 end, 20000)
H.record("diagnostics", vim.tbl_map(function(d) return d.code end, vim.diagnostic.get(bufnr)))
local ns = vim.api.nvim_create_namespace("cnn_inlay_hints")
-- the settings reach the server after initialize (didChangeConfiguration): hints drawn before
-- that lack the MACs. Wait for the state the setup asks for — the conv's hint with its MACs —
-- re-requesting on each TextChanged, rather than for a count of marks (a race under load).
H.wait("the hints drawn with the setup's settings", function()
  vim.cmd("doautocmd TextChanged")
  for _, m in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true })) do
    if m[2] == 2 and m[4].virt_text and m[4].virt_text[1][1]:find("MACs") then return true end
  end
  return false
end, 20000)
local marks = vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true })
H.record("hints", vim.tbl_map(function(m) return { line = m[2], text = m[4].virt_text[1][1] } end, marks))
H.wait("the code lenses", function() return #(vim.lsp.codelens.get(bufnr) or {}) >= 2 end, 20000)
H.record("lenses", vim.tbl_map(function(l) return l.command.title end, vim.lsp.codelens.get(bufnr)))
H.record("expandtab", vim.bo[bufnr].expandtab)
`;
    const run = await runNeovim(scenario, { root, files: { "misfit.cnn": misfit }, env: { CNN_DESIGNER: root } });
    assert.deepEqual(run.errors, [], run.stderr.slice(-2000));
    assert.equal(run.steps.filetype, "cnn");
    assert.deepEqual(run.steps.diagnostics, ["stride-misfit"]);
    // settings = { cnn = { inlayHints = { macs = true } } } of the setup: the MACs show
    assert.ok((run.steps.hints as { line: number; text: string }[]).some((h) => h.line === 2 && h.text === "→ 2×2×1 · 10 params · 36 MACs"), JSON.stringify(run.steps.hints));
    assert.deepEqual(run.steps.lenses, ["▶ Run · 10 params · 36 MACs", "Summary"]);
    assert.equal(run.steps.expandtab, true);
  });
});
