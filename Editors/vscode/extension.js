// Starts `vmlab lsp` for .vml files; everything else is the server's.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("vmlab").get("path") || "vmlab";
  client = new LanguageClient(
    "vmlab",
    "vmlab",
    { command, args: ["lsp"] },
    { documentSelector: [{ scheme: "file", language: "vml" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
