-- Neovim's own LSP client (Debian's neovim 0.7) against `vmlab lsp`: opens a
-- script with an error, waits for the server's diagnostics, asks for a
-- completion and a hover, and writes what it got as JSON for the test to check.
-- Run: VMLAB=… VML_FILE=… RESULT_FILE=… nvim --headless --clean -c "luafile neovim-lsp.lua"
local vmlab, file, result_file = os.getenv("VMLAB"), os.getenv("VML_FILE"), os.getenv("RESULT_FILE")

local function finish(result)
  local handle = io.open(result_file, "w")
  handle:write(vim.fn.json_encode(result))
  handle:close()
  vim.cmd("qa!")
end

local ok, failure = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buffer = vim.api.nvim_get_current_buf()
  local client = vim.lsp.start_client({
    name = "vmlab",
    cmd = { vmlab, "lsp" },
    root_dir = vim.fn.fnamemodify(file, ":h"),
  })
  assert(client, "the client did not start")
  vim.lsp.buf_attach_client(buffer, client)
  local arrived = vim.wait(15000, function() return #vim.diagnostic.get(buffer) > 0 end, 20)
  local diagnostics = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(buffer)) do
    table.insert(diagnostics, {
      lnum = diagnostic.lnum, col = diagnostic.col, end_lnum = diagnostic.end_lnum,
      end_col = diagnostic.end_col, message = diagnostic.message, source = diagnostic.source,
    })
  end
  local document = vim.lsp.util.make_text_document_params(buffer)
  -- Line 2 is "sw": complete the command name.
  local replies = vim.lsp.buf_request_sync(buffer, "textDocument/completion",
    { textDocument = document, position = { line = 1, character = 2 } }, 10000) or {}
  local labels = {}
  for _, reply in pairs(replies) do
    local items = reply.result and (reply.result.items or reply.result) or {}
    for _, item in ipairs(items) do table.insert(labels, item.label) end
  end
  local hovers = vim.lsp.buf_request_sync(buffer, "textDocument/hover",
    { textDocument = document, position = { line = 0, character = 1 } }, 10000) or {}
  local hover = ""
  for _, reply in pairs(hovers) do
    if reply.result then hover = reply.result.contents.value end
  end
  vim.lsp.stop_client(client)
  finish({ arrived = arrived, diagnostics = diagnostics, completion = labels, hover = hover })
end)
if not ok then finish({ failure = tostring(failure) }) end
