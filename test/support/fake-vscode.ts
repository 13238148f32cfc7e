// A stand-in for the `vscode` module, enough for the run view's host side (client/run):
// file URIs, one workspace folder, the file system on disk, webview panels that record
// what the host posts, and dialogs that answer what a test sets. Import it before the
// modules that import `vscode` (it answers require("vscode") from then on).

import Module from "node:module";
import { readFileSync, statSync } from "node:fs";
import { relative } from "node:path";

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(path: string): Uri {
    return new Uri("file", path);
  }
  static parse(text: string): Uri {
    const m = /^([a-z][a-z0-9+.-]*):(?:\/\/[^/]*)?(.*)$/i.exec(text);
    if (!m) throw new Error(`not a URI: ${text}`);
    return new Uri(m[1], decodeURIComponent(m[2]));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.path.replace(/\/$/, ""), ...parts].join("/"));
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: { path?: string }): Uri {
    return new Uri(this.scheme, change.path ?? this.path);
  }
  toString(): string {
    return `${this.scheme}://${encodeURI(this.path)}`;
  }
}

const disposable = { dispose() {} };
const event = () => () => disposable;

export interface FakePanel {
  posted: unknown[];
  /** what the page sends the host */
  send(message: unknown): void;
}

/** what the tests read and set */
export const fake = {
  folder: null as Uri | null,
  panels: [] as FakePanel[],
  /** what the next showOpenDialog answers */
  openDialog: [] as Uri[][],
  errors: [] as string[],
  warnings: [] as string[],
};

const FileType = { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 };

const vscode = {
  Uri,
  FileType,
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  Position: class {
    constructor(
      readonly line: number,
      readonly character: number,
    ) {}
  },
  Range: class {
    constructor(
      readonly start: unknown,
      readonly end: unknown,
    ) {}
  },
  window: {
    activeTextEditor: undefined,
    visibleTextEditors: [],
    createWebviewPanel() {
      let receive: (m: unknown) => void = () => {};
      const record: FakePanel = { posted: [], send: (m) => receive(m) };
      fake.panels.push(record);
      return {
        title: "",
        reveal() {},
        dispose() {},
        onDidDispose: event(),
        webview: {
          html: "",
          options: {},
          cspSource: "vscode-webview://fake",
          asWebviewUri: (u: Uri) => u,
          onDidReceiveMessage(f: (m: unknown) => void) {
            receive = f;
            return disposable;
          },
          async postMessage(m: unknown) {
            record.posted.push(m);
            return true;
          },
        },
      };
    },
    async showOpenDialog() {
      return fake.openDialog.shift();
    },
    async showErrorMessage(message: string) {
      fake.errors.push(message);
    },
    async showWarningMessage(message: string) {
      fake.warnings.push(message);
    },
    async showInformationMessage() {},
  },
  workspace: {
    onDidSaveTextDocument: event(),
    getConfiguration: () => ({ get: <T>(_key: string, fallback: T) => fallback }),
    getWorkspaceFolder(uri: Uri) {
      const f = fake.folder;
      return f && uri.path.startsWith(`${f.path}/`) ? { uri: f, name: "work", index: 0 } : undefined;
    },
    asRelativePath(uri: Uri) {
      return fake.folder ? relative(fake.folder.path, uri.path) : uri.path;
    },
    fs: {
      async stat(uri: Uri) {
        const s = statSync(uri.path);
        return { type: s.isFile() ? FileType.File : s.isDirectory() ? FileType.Directory : FileType.Unknown, size: s.size, ctime: 0, mtime: 0 };
      },
      async readFile(uri: Uri) {
        return new Uint8Array(readFileSync(uri.path));
      },
    },
  },
};

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Loader };
const load = loader._load;
loader._load = function (request, parent, isMain) {
  return request === "vscode" ? vscode : load.call(this, request, parent, isMain);
};
