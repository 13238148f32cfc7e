// The names of the built-in sample inputs (`input … sample NAME`): known here so a
// misspelt name is reported while typing; the engine paints each one (engine/samples/).

export interface SampleInfo {
  name: string;
  description: string;
}

/** how many handwritten digits of each class ship with the engine (digit3, digit3_2 …) */
export const DIGIT_VARIANTS = 4;

export const patternSamples: SampleInfo[] = [
  { name: "shapes", description: "a disc, a square and a triangle (coloured at D = 3)" },
  { name: "gradient", description: "a smooth ramp from dark to bright" },
  { name: "checkerboard", description: "an 8×8 board of black and white squares" },
  { name: "edge", description: "the course's edge image: 10 on the left half, 0 on the right" },
  { name: "noise", description: "seeded uniform noise in [0, 1)" },
];

const digitName = /^digit([0-9])(?:_([1-9]))?$/;

/** `digit3_2` → [3, 1] (class, variant index); null when not a digit name */
export function digitSample(name: string): [number, number] | null {
  if (name === "digits") return [7, 0];
  const m = digitName.exec(name);
  if (!m) return null;
  const variant = m[2] ? Number(m[2]) - 1 : 0;
  return variant < DIGIT_VARIANTS ? [Number(m[1]), variant] : null;
}

/** every sample name, for completion, `cnn run --sample` and the run view */
export function sampleCatalog(): SampleInfo[] {
  const list: SampleInfo[] = [{ name: "digits", description: "a handwritten 7 from MNIST's test set (same as digit7)" }];
  for (let d = 0; d < 10; d++) {
    list.push({ name: `digit${d}`, description: `a handwritten ${d} from MNIST's test set${DIGIT_VARIANTS > 1 ? ` (digit${d}_2 … digit${d}_${DIGIT_VARIANTS} are others)` : ""}` });
  }
  list.push(...patternSamples);
  return list;
}

export function isSampleName(name: string): boolean {
  return digitSample(name) !== null || patternSamples.some((s) => s.name === name);
}

/** picture files the engine decodes */
export const pictureExtensions = [".png", ".jpg", ".jpeg"];
