// What a network's `input` line asks for, read from the graph (the engine puts the data
// there; the language server and the editor only need to know which picture to read).

import type { GraphNode } from "./types";

/** The picture file the `input` line names (`sample "cat.png"`), relative to the .cnn file. */
export function requestedImagePath(input: GraphNode | undefined): string | null {
  if (input?.op !== "input") return null;
  const s = input.attrs.sample;
  return s && "path" in s ? s.path : null;
}
