// A picture folder read as torchvision's ImageFolder does, in Node:
//   classes: the sub-folders of DIR (symbolic links followed), sorted by code point as
//            Python's sorted() sorts strings; class i is the i-th;
//   pictures: every file below a class folder (sub-folders too, as os.walk with
//            followlinks) whose extension is one ImageFolder takes, case-insensitive;
//            folders in sorted path order, the files of each in sorted order;
//   other files are skipped, as ImageFolder skips them. A picture ImageFolder would
//   take but this product cannot decode (.bmp, .ppm, .pgm, .tif, .tiff, .webp) is an
//   error rather than a silent gap; so is a class without pictures (torchvision raises).
// Pictures are decoded by engine/samples (the run's decoder) and converted as the run
// converts them (data.ts).

import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import type { GraphNode } from "../../analysis/types";
import { decodeImage } from "../samples/decode-node";
import { prepareDataset, type Dataset, type LabelledRaster } from "./data";

const DECODED = new Set([".png", ".jpg", ".jpeg"]);
const IMAGE_FOLDER_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"]);

export class DatasetError extends Error {
  override name = "DatasetError";
}

/** Python's string order: by code point (JS compares UTF-16 units, which differs past U+FFFF) */
export function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** the ImageFolder extension a name ends with (lower-cased, as torchvision compares), or "" */
function extension(name: string): string {
  const lower = name.toLowerCase();
  for (const ext of IMAGE_FOLDER_EXTENSIONS) if (lower.endsWith(ext)) return ext;
  return "";
}

/** os.walk(top, followlinks=True), sorted by path: each folder and its files */
function walk(top: string): { folder: string; files: string[] }[] {
  const out: { folder: string; files: string[] }[] = [];
  const visit = (folder: string, seen: Set<string>) => {
    let entries: string[];
    try {
      entries = readdirSync(folder);
    } catch (e) {
      throw new DatasetError(`cannot read the folder ${folder}: ${(e as Error).message}`);
    }
    const files: string[] = [];
    for (const name of entries) {
      const path = join(folder, name);
      if (isDirectory(path)) {
        const real = statSync(path);
        const id = `${real.dev}:${real.ino}`;
        if (!seen.has(id)) visit(path, new Set([...seen, id]));
      } else files.push(name);
    }
    out.push({ folder, files: files.sort(codePointCompare) });
  };
  const st = statSync(top);
  visit(top, new Set([`${st.dev}:${st.ino}`]));
  return out.sort((a, b) => codePointCompare(a.folder, b.folder));
}

/** the class folders of DIR, sorted */
export function folderClasses(dir: string): string[] {
  if (!isDirectory(dir)) throw new DatasetError(`${dir} is not a folder (a picture folder holds one sub-folder per class)`);
  const classes = readdirSync(dir).filter((name) => isDirectory(join(dir, name))).sort(codePointCompare);
  if (classes.length === 0) throw new DatasetError(`${dir} has no class folders: put the pictures of each class in a folder of its own (${dir}/cat/1.png, ${dir}/dog/1.png, …)`);
  return classes;
}

/** the pictures of DIR with their classes, in ImageFolder's order (not yet decoded) */
export function folderFiles(dir: string): { classes: string[]; files: { path: string; label: number }[] } {
  const classes = folderClasses(dir);
  const files: { path: string; label: number }[] = [];
  classes.forEach((cls, label) => {
    let count = 0;
    for (const { folder, files: names } of walk(join(dir, cls))) {
      for (const name of names) {
        const ext = extension(name);
        if (!ext) continue;
        const path = join(folder, name);
        if (!DECODED.has(ext)) throw new DatasetError(`${path}: ${ext} pictures cannot be read here (PNG and JPEG only); convert it, or move it out of the folder`);
        files.push({ path, label });
        count++;
      }
    }
    if (count === 0) throw new DatasetError(`the class folder ${join(dir, cls)} has no .png or .jpg pictures (ImageFolder refuses an empty class too)`);
  });
  return { classes, files };
}

export function readFolder(dir: string, input: GraphNode): Dataset {
  const { classes, files } = folderFiles(dir);
  const samples: LabelledRaster[] = files.map(({ path, label }) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new DatasetError(`cannot read ${path}: ${(e as Error).message}`);
    }
    try {
      return { raster: decodeImage(bytes, path), label, name: relative(dir, path) };
    } catch (e) {
      throw new DatasetError(`${path}: ${(e as Error).message}`);
    }
  });
  const name = basename(dir.replace(/[/\\]+$/, "")) || dir;
  return prepareDataset(input, samples, classes, `${name}/ (${classes.length} classes, ${files.length.toLocaleString("en-US")} pictures)`);
}
