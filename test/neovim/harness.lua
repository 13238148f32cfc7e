-- A small driver for Neovim's own LSP client, run headless (test/support/neovim.ts runs it): `nvim --headless --clean -u
-- NONE -c "luafile harness.lua" -c "luafile scenario.lua"`. Works on Neovim 0.7 (Debian
-- 12's) and 0.10+: only vim.lsp.start_client / buf_attach_client / request_sync and
-- vim.diagnostic, which both have. H.dir is the run's folder (the scenario's files). A scenario records what it saw with H.record(key,
-- value) and ends with H.finish(); the results go, as JSON, to $CNN_NVIM_RESULTS.
-- Every step has a deadline: a step that times out records the error and ends the run.

H = {}
local results = { steps = {}, errors = {}, version = vim.version and tostring(vim.version().major) .. "." .. tostring(vim.version().minor) .. "." .. tostring(vim.version().patch) or "?" }
local published = {} -- uri → list of { version, count, at_ms }
local t0 = vim.loop.hrtime()

function H.now_ms()
  return (vim.loop.hrtime() - t0) / 1e6
end

function H.record(key, value)
  results.steps[key] = value
end

function H.fail(message)
  table.insert(results.errors, message)
  H.finish()
  error(message)
end

local finished = false
function H.finish()
  if finished then return end
  finished = true
  local path = os.getenv("CNN_NVIM_RESULTS")
  local file = assert(io.open(path, "w"))
  file:write(vim.fn.json_encode(results))
  file:close()
  vim.cmd("qall!")
end

-- every diagnostics publish is noted (version, count, when) before Neovim's own handler runs
local default_publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
  if result then
    local list = published[result.uri] or {}
    table.insert(list, { version = result.version, count = #result.diagnostics, at_ms = H.now_ms() })
    published[result.uri] = list
  end
  return default_publish(err, result, ctx, config)
end

--- Starts the server and opens `path` (a file on disk: `H.dir .. "/x.cnn"`) in a buffer
--- attached to it. Options: settings (Neovim's `settings`: answered to
--- workspace/configuration and sent in didChangeConfiguration), init_options,
--- debounce (ms, Neovim's debounce_text_changes; default 0; "default": Neovim's own, 150 ms in 0.7),
--- cmd (default $CNN_LSP_CMD).
function H.open(path, options)
  options = options or {}
  local cmd = options.cmd or vim.fn.json_decode(os.getenv("CNN_LSP_CMD"))
  local client_id = vim.lsp.start_client({
    name = "cnn",
    cmd = cmd,
    root_dir = H.dir,
    settings = options.settings,
    init_options = options.init_options,
    flags = options.debounce == "default" and {} or { debounce_text_changes = options.debounce or 0 },
    on_exit = function(code)
      if code ~= 0 then table.insert(results.errors, "the server exited with " .. tostring(code)) end
    end,
  })
  if not client_id then H.fail("the server did not start") end
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "cnn"
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  H.wait("the server to initialize", function() return client.initialized == true or (client.server_capabilities ~= nil and next(client.server_capabilities) ~= nil) end)
  return { bufnr = bufnr, client = client, uri = vim.uri_from_bufnr(bufnr) }
end

--- The folder the scenario's files were written to.
H.dir = os.getenv("CNN_NVIM_DIR")

--- Waits until `condition()` holds (default deadline 10 s), or fails the run.
function H.wait(what, condition, timeout)
  local ok = vim.wait(timeout or 10000, condition, 5)
  if not ok then H.fail("timed out waiting for " .. what) end
end

--- The diagnostics Neovim holds for the buffer once the server has published for its current version.
function H.diagnostics(doc, timeout)
  local version = vim.lsp.util.buf_versions[doc.bufnr]
  H.wait("diagnostics of version " .. tostring(version), function()
    for _, p in ipairs(published[doc.uri] or {}) do
      if p.version == version then return true end
    end
    return false
  end, timeout)
  return vim.diagnostic.get(doc.bufnr)
end

--- Every publish seen for the buffer: { version, count, at_ms }.
function H.published(doc)
  return published[doc.uri] or {}
end

--- A request through the client, answered within the deadline (default 10 s).
function H.request(doc, method, params, timeout)
  local response, err = doc.client.request_sync(method, params, timeout or 10000, doc.bufnr)
  if not response then H.fail(method .. " got no answer: " .. tostring(err)) end
  if response.err then H.fail(method .. " failed: " .. vim.inspect(response.err)) end
  return response.result
end

function H.text_document(doc)
  return { uri = doc.uri }
end

--- Replaces text in the buffer as a user's edit would (Neovim sends didChange itself).
function H.edit(doc, start_row, start_col, end_row, end_col, text)
  vim.api.nvim_buf_set_text(doc.bufnr, start_row, start_col, end_row, end_col, vim.split(text, "\n", { plain = true }))
end

function H.lines(doc)
  return vim.api.nvim_buf_get_lines(doc.bufnr, 0, -1, false)
end
