-- Driven by test_neovim.py: headless Neovim (0.7 or 0.11) runs the README's configuration
-- ($SLS_CONFIG), opens a Markdown file, waits for sentiment-ls's diagnostics, asks for a hover,
-- and writes what it got as JSON to $SLS_RESULT.
-- Run: nvim --headless -u NONE -i NONE -n -c 'luafile neovim.lua'
local config = assert(os.getenv("SLS_CONFIG"))
local file = assert(os.getenv("SLS_FILE"))
local result_path = assert(os.getenv("SLS_RESULT"))
local hover_line = tonumber(assert(os.getenv("SLS_HOVER_LINE")))
local timeout = tonumber(os.getenv("SLS_TIMEOUT_MS") or "180000")
local uv = vim.uv or vim.loop

local function write_result(value)
  local handle = assert(io.open(result_path, "w"))
  handle:write(vim.fn.json_encode(value))
  handle:close()
end

local function buffer_clients(bufnr)
  if vim.lsp.get_clients then -- 0.10+
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
end

local function run()
  local messages = {}
  vim.lsp.handlers["window/showMessage"] = function(_, params)
    table.insert(messages, params.message)
  end
  dofile(config) -- the README block, with this checkout's server
  vim.cmd("filetype on") -- -u NONE leaves it off; the configurations key on filetypes
  -- Also off under -u NONE, on by default for everyone else; 0.11 renders a Markdown hover
  -- (treesitter, markup concealed) only with it.
  vim.cmd("syntax on")
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local v = vim.version()
  local result = {
    filetype = vim.bo[bufnr].filetype,
    version = string.format("%d.%d.%d", v.major, v.minor, v.patch),
  }

  local started = uv.hrtime()
  local attached = vim.wait(timeout, function() return #buffer_clients(bufnr) > 0 end, 50)
  assert(attached, "no language server attached to the buffer")
  local client = buffer_clients(bufnr)[1]
  result.client_name = client.name
  local got = vim.wait(timeout, function() return #vim.diagnostic.get(bufnr) > 0 end, 100)
  result.diagnostics_ms = (uv.hrtime() - started) / 1e6
  result.timed_out = not got
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, source = d.source, code = d.code,
    })
  end

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

  -- A plain-text file: filetype `text`, which the README's get_language_id maps to the
  -- server's `plaintext`.
  local text_file = os.getenv("SLS_TEXT_FILE")
  if text_file then
    vim.cmd("edit " .. vim.fn.fnameescape(text_file))
    local text_buf = vim.api.nvim_get_current_buf()
    result.text_filetype = vim.bo[text_buf].filetype
    vim.wait(timeout, function() return #vim.diagnostic.get(text_buf) > 0 end, 100)
    result.text_diagnostics = {}
    for _, d in ipairs(vim.diagnostic.get(text_buf)) do
      table.insert(result.text_diagnostics, { lnum = d.lnum, message = d.message })
    end
  end

  -- What a person sees: the hover float that `K` (vim.lsp.buf.hover) opens over the
  -- flagged sentence. Its place on the screen goes to $SLS_SCREEN_READY; the test reads the
  -- terminal, then writes $SLS_SCREEN_DONE.
  local screen_ready = os.getenv("SLS_SCREEN_READY")
  if screen_ready then
    vim.api.nvim_set_current_buf(bufnr)
    vim.api.nvim_win_set_cursor(0, { hover_line + 1, 5 })
    vim.lsp.buf.hover()
    local float
    vim.wait(timeout, function()
      for _, win in ipairs(vim.api.nvim_list_wins()) do
        if vim.api.nvim_win_get_config(win).relative ~= "" then
          float = win
          return true
        end
      end
      return false
    end, 50)
    assert(float, "no hover float opened")
    vim.cmd("redraw")
    local position = vim.fn.win_screenpos(float) -- 1-based row and column of its text
    result.float = {
      row = position[1], col = position[2],
      width = vim.api.nvim_win_get_width(float), height = vim.api.nvim_win_get_height(float),
      lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false),
    }
    local handle = assert(io.open(screen_ready, "w"))
    handle:write(vim.fn.json_encode(result.float))
    handle:close()
    local done = assert(os.getenv("SLS_SCREEN_DONE"))
    vim.wait(timeout, function() return uv.fs_stat(done) ~= nil end, 50)
  end

  result.messages = messages
  vim.lsp.stop_client(client.id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client.id) == nil end, 50)
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
