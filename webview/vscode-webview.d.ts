// What VS Code gives the script of a webview page (the run view's, webview/main.ts, and
// the architecture view's, diagram/view/main.ts): a global `acquireVsCodeApi`, callable
// once, for messages to the extension host and the state kept across reloads.

interface VsCodeWebviewApi<Message, State> {
  postMessage(message: Message): void;
  getState(): unknown;
  setState(state: State): void;
}

declare function acquireVsCodeApi<Message = unknown, State = unknown>(): VsCodeWebviewApi<Message, State>;
