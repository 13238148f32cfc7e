// The executor's WebAssembly memory, handed out from the bottom up: packed weights and
// tables first (kept for the network's life), then the activation arena and the
// scratch space. Growing detaches old views, so views are made fresh on each access.

export class Heap {
  readonly memory: WebAssembly.Memory;
  private top = 1024; // the first KiB stays unused: address 0 means "none" to the kernels
  /** the most pages the memory may grow to */
  private readonly maxPages: number = 65536;

  /**
   * `shared`: a shared memory (SharedArrayBuffer) that worker threads run kernels on too;
   * it must say its maximum up front: 4 GiB, or less where the engine reserves no more.
   */
  constructor(initialBytes = 1 << 20, readonly shared = false) {
    const initial = Math.ceil(initialBytes / 65536);
    if (!shared) {
      this.memory = new WebAssembly.Memory({ initial });
      return;
    }
    let memory: WebAssembly.Memory | null = null;
    for (const maximum of [65536, 32768, 16384]) {
      try {
        memory = new WebAssembly.Memory({ initial, maximum, shared: true });
        this.maxPages = maximum;
        break;
      } catch {
        // this engine reserves less address space for a shared memory: try a smaller maximum
      }
    }
    if (!memory) throw new RangeError("this engine cannot make a shared WebAssembly memory");
    this.memory = memory;
  }

  get size(): number {
    return this.top;
  }

  /** bytes at a 64-byte aligned offset, growing the memory when needed */
  reserve(bytes: number): number {
    const offset = Math.ceil(this.top / 64) * 64;
    this.top = offset + Math.ceil(bytes / 64) * 64 + 64;
    const have = this.memory.buffer.byteLength;
    if (this.top > have) {
      const pages = Math.ceil((this.top - have) / 65536);
      // grow in steps of at least 1/8 of the memory, so many small reservations stay cheap
      const step = Math.min(this.maxPages - have / 65536, Math.max(pages, Math.ceil(have / 65536 / 8)));
      try {
        if (step < pages) throw new RangeError("past the maximum");
        this.memory.grow(step);
      } catch {
        throw new RangeError(`the network needs ${(this.top / 1e6).toFixed(0)} MB of WebAssembly memory: more than this engine gives (at most ${(this.maxPages * 65536 / 1e9).toFixed(1)} GB)`);
      }
    }
    return offset;
  }

  f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, length);
  }

  i32(offset: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, offset, length);
  }

  /** a copy of the floats at offset into JS memory */
  read(offset: number, length: number): Float32Array {
    return this.f32(offset, length).slice();
  }

  write(offset: number, values: ArrayLike<number>): number {
    this.f32(offset, values.length).set(values);
    return offset;
  }

  /** reserves room for the values and writes them there */
  store(values: ArrayLike<number>, minLength = values.length): number {
    const offset = this.reserve(4 * Math.max(minLength, values.length));
    return this.write(offset, values);
  }

  /** gives back everything reserved from `offset` on (temporaries made while packing), zeroed as fresh memory is */
  release(offset: number): void {
    if (offset >= this.top) return;
    new Uint8Array(this.memory.buffer, offset, this.top - offset).fill(0);
    this.top = offset;
  }
}
