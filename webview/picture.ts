// Pictures in the view: the browser decodes PNG/JPEG bytes (no decoder shipped) once the
// shared probe (engine/samples/picture.ts) has checked their structure and size — the
// bytes are untrusted, and a header claiming 30000×30000 must not reach the decoder —
// and a pad to draw a digit on, kept as 28×28 gray levels like MNIST (white ink on black).

import type { Raster } from "../engine/samples/raster";
import { rasterFromRgba } from "../engine/samples/raster";
import { PictureError, probePicture } from "../engine/samples/picture";

/** Decodes a picture's base64 bytes; a PictureError (naming `name`) when it is refused. */
export async function decodePicture(base64: string, name: string): Promise<Raster> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const info = probePicture(bytes, name);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes]));
  } catch (e) {
    throw new PictureError(name, `corrupt data: the browser could not decode it (${(e as Error).message})`);
  }
  if (bitmap.width * bitmap.height !== info.width * info.height) {
    bitmap.close();
    throw new PictureError(name, `corrupt data: the decoder disagrees with the header (${bitmap.width}×${bitmap.height}, not ${info.width}×${info.height})`);
  }
  try {
    const canvas = document.createElement("canvas");
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("no 2D canvas to decode the picture with");
    ctx.drawImage(bitmap, 0, 0);
    const pixels = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    return rasterFromRgba(pixels, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

export const PAD_SIZE = 28;

/** A drawing pad: a canvas showing 28×28 cells; strokes lay soft round ink. */
export class DrawingPad {
  readonly cells = new Float32Array(PAD_SIZE * PAD_SIZE);
  private drawing = false;
  private last: [number, number] | null = null;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onStroke: () => void,
  ) {
    canvas.width = PAD_SIZE;
    canvas.height = PAD_SIZE;
    canvas.addEventListener("pointerdown", (e) => {
      this.drawing = true;
      canvas.setPointerCapture(e.pointerId);
      this.last = null;
      this.ink(e);
    });
    canvas.addEventListener("pointermove", (e) => this.drawing && this.ink(e));
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.onStroke();
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    this.paint();
  }

  load(levels: number[] | null): void {
    this.cells.fill(0);
    if (levels) levels.forEach((v, i) => (this.cells[i] = v / 255));
    this.paint();
  }

  clear(): void {
    this.load(null);
  }

  levels(): number[] {
    return Array.from(this.cells, (v) => Math.round(v * 255));
  }

  raster(): Raster {
    return { width: PAD_SIZE, height: PAD_SIZE, channels: 1, data: Float32Array.from(this.cells) };
  }

  isEmpty(): boolean {
    return this.cells.every((v) => v === 0);
  }

  private ink(e: PointerEvent): void {
    const box = this.canvas.getBoundingClientRect();
    const x = ((e.clientX - box.left) / box.width) * PAD_SIZE;
    const y = ((e.clientY - box.top) / box.height) * PAD_SIZE;
    const from = this.last ?? [x, y];
    const steps = Math.max(1, Math.ceil(Math.hypot(x - from[0], y - from[1]) * 3));
    for (let s = 1; s <= steps; s++) this.dab(from[0] + ((x - from[0]) * s) / steps, from[1] + ((y - from[1]) * s) / steps);
    this.last = [x, y];
    this.paint();
  }

  /** a soft round brush about two cells wide, like MNIST's pen */
  private dab(cx: number, cy: number): void {
    for (let y = Math.floor(cy - 2); y <= Math.ceil(cy + 2); y++)
      for (let x = Math.floor(cx - 2); x <= Math.ceil(cx + 2); x++) {
        if (x < 0 || y < 0 || x >= PAD_SIZE || y >= PAD_SIZE) continue;
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        const ink = Math.min(1, Math.max(0, 1.6 - d));
        const i = y * PAD_SIZE + x;
        this.cells[i] = Math.max(this.cells[i], ink);
      }
  }

  private paint(): void {
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    const image = ctx.createImageData(PAD_SIZE, PAD_SIZE);
    this.cells.forEach((v, i) => {
      const g = Math.round(v * 255);
      image.data.set([g, g, g, 255], i * 4);
    });
    ctx.putImageData(image, 0, 0);
  }
}
