-- Driven by test_neovim.py: Neovim 0.7+ headless attaches sentiment-ls to a Markdown file with
-- the `start_client` API, waits for its diagnostics, asks for a hover, and writes what it got
-- as JSON to $SLS_RESULT. Run: nvim --headless -u NONE -i NONE -n -c 'luafile neovim.lua'
local file = assert(os.getenv("SLS_FILE"))
local result_path = assert(os.getenv("SLS_RESULT"))
local command = vim.fn.json_decode(assert(os.getenv("SLS_COMMAND")))
local hover_line = tonumber(assert(os.getenv("SLS_HOVER_LINE")))
local timeout = tonumber(os.getenv("SLS_TIMEOUT_MS") or "180000")

local function write_result(value)
  local handle = assert(io.open(result_path, "w"))
  handle:write(vim.fn.json_encode(value))
  handle:close()
end

local function run()
  vim.cmd("filetype on")
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local result = { filetype = vim.bo[bufnr].filetype, version = vim.version() }
  local messages = {}
  local client_id = vim.lsp.start_client({
    name = "sentiment-ls",
    cmd = command,
    root_dir = vim.fn.fnamemodify(file, ":h"),
    init_options = { threshold = 0.85 },
    handlers = {
      ["window/showMessage"] = function(_, params)
        table.insert(messages, params.message)
      end,
    },
  })
  assert(client_id, "start_client returned nil")
  assert(vim.lsp.buf_attach_client(bufnr, client_id), "buf_attach_client failed")

  local started = vim.loop.hrtime()
  local got = vim.wait(timeout, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 100)
  result.diagnostics_ms = (vim.loop.hrtime() - started) / 1e6
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, source = d.source, code = d.code,
    })
  end
  result.timed_out = not got

  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = hover_line, character = 5 },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", params, timeout)
  for _, response in pairs(responses or {}) do
    if response.error then
      result.hover_error = response.error.message
    elseif response.result then
      result.hover = response.result.contents
    end
  end
  result.messages = messages
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
  return result
end

local ok, value = pcall(run)
if ok then
  write_result(value)
  vim.cmd("qall!")
else
  write_result({ error = tostring(value) })
  vim.cmd("cquit 1")
end
