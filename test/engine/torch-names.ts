// State dicts as PyTorch names them, for the weight-matching tests: modules listed in
// torchvision's registration order with their exact names and shapes, written to a
// .safetensors file the way `safetensors.torch.save_file` does (names sorted, BatchNorm's
// `num_batches_tracked` as an int64 scalar). Every float tensor is filled with its
// module's index, so a test can see where each one landed.

export interface Module {
  name: string;
  /** suffix → shape */
  shapes: Record<string, number[]>;
}

export const conv = (name: string, k: number, c: number, fh: number, fw = fh, bias = false): Module => ({
  name,
  shapes: { weight: [k, c, fh, fw], ...(bias ? { bias: [k] } : {}) },
});
export const bn = (name: string, c: number): Module => ({ name, shapes: { weight: [c], bias: [c], running_mean: [c], running_var: [c], num_batches_tracked: [] } });
export const linear = (name: string, n: number, nIn: number): Module => ({ name, shapes: { weight: [n, nIn], bias: [n] } });

/** torchvision's ResNet with BasicBlocks: `blocks` per stage (resnet18: [2, 2, 2, 2], resnet34: [3, 4, 6, 3]) */
export function resnetBasic(blocks: number[], classes = 1000): Module[] {
  const modules: Module[] = [conv("conv1", 64, 3, 7), bn("bn1", 64)];
  let channels = 64;
  [64, 128, 256, 512].forEach((k, stage) => {
    for (let b = 0; b < blocks[stage]; b++) {
      const p = `layer${stage + 1}.${b}`;
      modules.push(conv(`${p}.conv1`, k, b === 0 ? channels : k, 3), bn(`${p}.bn1`, k), conv(`${p}.conv2`, k, k, 3), bn(`${p}.bn2`, k));
      if (stage > 0 && b === 0) modules.push(conv(`${p}.downsample.0`, k, channels, 1), bn(`${p}.downsample.1`, k));
    }
    channels = k;
  });
  modules.push(linear("fc", classes, 512));
  return modules;
}

/** torchvision's DenseNet (features.conv0 … features.norm5, classifier) with a small configuration */
export function densenet(growth: number, blockConfig: number[], initFeatures: number, bnSize = 4, classes = 1000): Module[] {
  const modules: Module[] = [conv("features.conv0", initFeatures, 3, 7), bn("features.norm0", initFeatures)];
  let c = initFeatures;
  blockConfig.forEach((layers, i) => {
    for (let l = 0; l < layers; l++) {
      const p = `features.denseblock${i + 1}.denselayer${l + 1}`;
      modules.push(bn(`${p}.norm1`, c), conv(`${p}.conv1`, bnSize * growth, c, 1), bn(`${p}.norm2`, bnSize * growth), conv(`${p}.conv2`, growth, bnSize * growth, 3));
      c += growth;
    }
    if (i < blockConfig.length - 1) {
      modules.push(bn(`features.transition${i + 1}.norm`, c), conv(`features.transition${i + 1}.conv`, c / 2, c, 1));
      c /= 2;
    }
  });
  modules.push(bn("features.norm5", c), linear("classifier", classes, c));
  return modules;
}

/** Inception-v3's BasicConv2d: conv (no bias) and bn (eps 0.001) */
export const basicConv = (name: string, k: number, c: number, fh: number, fw = fh): Module[] => [conv(`${name}.conv`, k, c, fh, fw), bn(`${name}.bn`, k)];

/** Inception-v3's InceptionA (Mixed_5b: in 192, pool_features 32), in registration order */
export function inceptionA(name: string, c: number, pool: number): Module[] {
  return [
    ...basicConv(`${name}.branch1x1`, 64, c, 1),
    ...basicConv(`${name}.branch5x5_1`, 48, c, 1),
    ...basicConv(`${name}.branch5x5_2`, 64, 48, 5),
    ...basicConv(`${name}.branch3x3dbl_1`, 64, c, 1),
    ...basicConv(`${name}.branch3x3dbl_2`, 96, 64, 3),
    ...basicConv(`${name}.branch3x3dbl_3`, 96, 96, 3),
    ...basicConv(`${name}.branch_pool`, pool, c, 1),
  ];
}

/** the .safetensors bytes of `modules`, names sorted; float tensors hold their module's index */
export function torchSafetensors(modules: Module[], fill: (module: number, suffix: string, i: number) => number = (m) => m): Uint8Array {
  const entries: { name: string; dtype: string; shape: number[]; bytes: Uint8Array }[] = [];
  modules.forEach((m, index) => {
    for (const [suffix, shape] of Object.entries(m.shapes)) {
      const count = shape.reduce((a, b) => a * b, 1);
      if (suffix === "num_batches_tracked") {
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setBigInt64(0, 12345n, true);
        entries.push({ name: `${m.name}.${suffix}`, dtype: "I64", shape, bytes });
        continue;
      }
      // (float32 little-endian, as every machine this runs on stores it)
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = fill(index, suffix, i);
      entries.push({ name: `${m.name}.${suffix}`, dtype: "F32", shape, bytes: new Uint8Array(values.buffer) });
    }
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return rawSafetensors(entries, { format: "pt" });
}

/** a .safetensors file of raw entries in the given order (any dtype, header not padded) */
export function rawSafetensors(entries: { name: string; dtype: string; shape: number[]; bytes: ArrayLike<number> }[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const e of entries) {
    out.set(e.bytes, at);
    at += e.bytes.length;
  }
  return out;
}

/** Inception-v3's InceptionB (Mixed_6a) */
export function inceptionB(name: string, c: number): Module[] {
  return [
    ...basicConv(`${name}.branch3x3`, 384, c, 3),
    ...basicConv(`${name}.branch3x3dbl_1`, 64, c, 1),
    ...basicConv(`${name}.branch3x3dbl_2`, 96, 64, 3),
    ...basicConv(`${name}.branch3x3dbl_3`, 96, 96, 3),
  ];
}

/** Inception-v3's InceptionC (Mixed_6b … 6e: in 768, channels_7x7 c7); torch's kernel (1, 7) is 1 high and 7 wide */
export function inceptionC(name: string, c: number, c7: number): Module[] {
  return [
    ...basicConv(`${name}.branch1x1`, 192, c, 1),
    ...basicConv(`${name}.branch7x7_1`, c7, c, 1),
    ...basicConv(`${name}.branch7x7_2`, c7, c7, 1, 7),
    ...basicConv(`${name}.branch7x7_3`, 192, c7, 7, 1),
    ...basicConv(`${name}.branch7x7dbl_1`, c7, c, 1),
    ...basicConv(`${name}.branch7x7dbl_2`, c7, c7, 7, 1),
    ...basicConv(`${name}.branch7x7dbl_3`, c7, c7, 1, 7),
    ...basicConv(`${name}.branch7x7dbl_4`, c7, c7, 7, 1),
    ...basicConv(`${name}.branch7x7dbl_5`, 192, c7, 1, 7),
    ...basicConv(`${name}.branch_pool`, 192, c, 1),
  ];
}

/** Inception-v3's InceptionD (Mixed_7a) */
export function inceptionD(name: string, c: number): Module[] {
  return [
    ...basicConv(`${name}.branch3x3_1`, 192, c, 1),
    ...basicConv(`${name}.branch3x3_2`, 320, 192, 3),
    ...basicConv(`${name}.branch7x7x3_1`, 192, c, 1),
    ...basicConv(`${name}.branch7x7x3_2`, 192, 192, 1, 7),
    ...basicConv(`${name}.branch7x7x3_3`, 192, 192, 7, 1),
    ...basicConv(`${name}.branch7x7x3_4`, 192, 192, 3),
  ];
}

/** Inception-v3's InceptionE (Mixed_7b, 7c) */
export function inceptionE(name: string, c: number): Module[] {
  return [
    ...basicConv(`${name}.branch1x1`, 320, c, 1),
    ...basicConv(`${name}.branch3x3_1`, 384, c, 1),
    ...basicConv(`${name}.branch3x3_2a`, 384, 384, 1, 3),
    ...basicConv(`${name}.branch3x3_2b`, 384, 384, 3, 1),
    ...basicConv(`${name}.branch3x3dbl_1`, 448, c, 1),
    ...basicConv(`${name}.branch3x3dbl_2`, 384, 448, 3),
    ...basicConv(`${name}.branch3x3dbl_3a`, 384, 384, 1, 3),
    ...basicConv(`${name}.branch3x3dbl_3b`, 384, 384, 3, 1),
    ...basicConv(`${name}.branch_pool`, 192, c, 1),
  ];
}

/** torchvision's inception_v3 (aux_logits=True), every module in registration order: AuxLogits after Mixed_6e */
export function inceptionV3(classes = 1000): Module[] {
  return [
    ...basicConv("Conv2d_1a_3x3", 32, 3, 3),
    ...basicConv("Conv2d_2a_3x3", 32, 32, 3),
    ...basicConv("Conv2d_2b_3x3", 64, 32, 3),
    ...basicConv("Conv2d_3b_1x1", 80, 64, 1),
    ...basicConv("Conv2d_4a_3x3", 192, 80, 3),
    ...inceptionA("Mixed_5b", 192, 32),
    ...inceptionA("Mixed_5c", 256, 64),
    ...inceptionA("Mixed_5d", 288, 64),
    ...inceptionB("Mixed_6a", 288),
    ...inceptionC("Mixed_6b", 768, 128),
    ...inceptionC("Mixed_6c", 768, 160),
    ...inceptionC("Mixed_6d", 768, 160),
    ...inceptionC("Mixed_6e", 768, 192),
    ...basicConv("AuxLogits.conv0", 128, 768, 1),
    ...basicConv("AuxLogits.conv1", 768, 128, 5),
    linear("AuxLogits.fc", classes, 768),
    ...inceptionD("Mixed_7a", 768),
    ...inceptionE("Mixed_7b", 1280),
    ...inceptionE("Mixed_7c", 2048),
    linear("fc", classes, 2048),
  ];
}

/** torchvision's LayerNorm / LayerNorm2d over `c` channels */
export const layerNorm = (name: string, c: number): Module => ({ name, shapes: { weight: [c], bias: [c] } });

/**
 * torchvision's convnext_tiny: the stem (features.0: Conv2d 4×4 stride 4, LayerNorm2d), four
 * stages of CNBlocks (features.1, .3, .5, .7: layer_scale [C, 1, 1] — a bare nn.Parameter,
 * registered before the block — then block.0 the 7×7 depthwise Conv2d, block.2 the
 * LayerNorm, block.3 and block.5 the nn.Linear layers), downsamplings between them
 * (features.2, .4, .6: LayerNorm2d, Conv2d 2×2 stride 2) and the classifier (classifier.0
 * LayerNorm2d, classifier.2 nn.Linear).
 */
export function convnextTiny(classes = 1000): Module[] {
  const modules: Module[] = [conv("features.0.0", 96, 3, 4, 4, true), layerNorm("features.0.1", 96)];
  const stages: [number, number][] = [[96, 3], [192, 3], [384, 9], [768, 3]];
  stages.forEach(([c, blocks], s) => {
    if (s > 0) modules.push(layerNorm(`features.${2 * s}.0`, stages[s - 1][0]), conv(`features.${2 * s}.1`, c, stages[s - 1][0], 2, 2, true));
    for (let b = 0; b < blocks; b++) {
      const p = `features.${2 * s + 1}.${b}`;
      modules.push({ name: p, shapes: { layer_scale: [c, 1, 1] } }, conv(`${p}.block.0`, c, 1, 7, 7, true), layerNorm(`${p}.block.2`, c), linear(`${p}.block.3`, 4 * c, c), linear(`${p}.block.5`, c, 4 * c));
    }
  });
  modules.push(layerNorm("classifier.0", 768), linear("classifier.2", classes, 768));
  return modules;
}
