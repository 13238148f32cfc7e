// Colours for activation values, the same in light and dark themes: a sequential map
// (dark blue → green → yellow, like viridis) when every value has one sign, a diverging
// one (blue → gray → red, like coolwarm) when there are both, centred on zero.

type Rgb = [number, number, number];

const sequential: Rgb[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
const diverging: Rgb[] = [
  [59, 76, 192],
  [141, 176, 254],
  [221, 221, 221],
  [244, 154, 123],
  [180, 4, 38],
];

function interpolate(stops: Rgb[], t: number): Rgb {
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export interface ColourScale {
  colour(value: number): Rgb;
  /** CSS gradient for the legend */
  gradient: string;
}

export function colourScale(min: number, max: number): ColourScale {
  const signed = min < 0 && max > 0;
  const stops = signed ? diverging : sequential;
  const gradient = `linear-gradient(to right, ${stops.map((s) => `rgb(${s.join(",")})`).join(", ")})`;
  if (signed) {
    const extent = Math.max(-min, max);
    return { colour: (v) => interpolate(stops, 0.5 + v / (2 * extent)), gradient };
  }
  const span = max - min;
  return { colour: (v) => interpolate(stops, span > 0 ? (v - min) / span : 0.5), gradient };
}
