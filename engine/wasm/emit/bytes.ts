// The WebAssembly binary format's primitive encodings (spec §5: LEB128 integers,
// IEEE floats, length-prefixed vectors). Everything the emitter writes goes through here.

export type Bytes = number[];

export function unsigned(out: Bytes, value: number): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

export function signed(out: Bytes, value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

const f32Scratch = new DataView(new ArrayBuffer(4));

export function float32(out: Bytes, value: number): void {
  f32Scratch.setFloat32(0, value, true);
  for (let i = 0; i < 4; i++) out.push(f32Scratch.getUint8(i));
}

export function name(out: Bytes, text: string): void {
  const encoded = new TextEncoder().encode(text);
  unsigned(out, encoded.length);
  for (const b of encoded) out.push(b);
}

/** a section: id, byte length, contents */
export function section(out: Bytes, id: number, contents: Bytes): void {
  out.push(id);
  unsigned(out, contents.length);
  for (const b of contents) out.push(b);
}
