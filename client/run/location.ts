// Where the picture of an `input … sample "x.png"` line is, as a path inside the
// workspace folder of the .cnn file, or why it will not be read. Pure (paths only), so it
// is tested without VS Code.

import { posix } from "node:path";

export function pictureLocation(documentPath: string, folderPath: string, relative: string): { path: string } | { refused: string } {
  if (/^[a-z][a-z0-9+.-]*:/i.test(relative) || relative.startsWith("/") || relative.startsWith("\\")) {
    return { refused: `sample "${relative}": give a path relative to the .cnn file` };
  }
  const path = posix.normalize(posix.join(posix.dirname(documentPath), relative.replace(/\\/g, "/")));
  const root = folderPath.endsWith("/") ? folderPath : `${folderPath}/`;
  if (!path.startsWith(root)) return { refused: `sample "${relative}" is outside the workspace folder: it is not read` };
  return { path };
}
