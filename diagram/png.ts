// SVG → PNG with resvg (@resvg/resvg-js: a Rust renderer whose prebuilt binary comes in a
// per-platform npm package, nothing downloaded at install). Loaded only when asked for, so
// every other command works where that binary is missing. Text uses the system's fonts
// (the figure names generic families).

interface Resvg {
  renderAsync(svg: string, options: object): Promise<{ asPng(): Buffer; width: number; height: number }>;
}

/** the most pixels a PNG may have (a 100-megapixel figure is refused before rendering) */
export const MAX_PNG_PIXELS = 100_000_000;

function loadResvg(): Resvg {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@resvg/resvg-js") as Resvg;
  } catch (e) {
    throw new Error(`PNG output needs the package @resvg/resvg-js, which could not be loaded here (${(e as Error).message.split("\n")[0]}); write --svg instead`);
  }
}

export async function svgToPng(svg: string, scale: number): Promise<Buffer> {
  const size = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  const w = size ? Number(size[1]) * scale : 0;
  const h = size ? Number(size[2]) * scale : 0;
  if (w * h > MAX_PNG_PIXELS) {
    throw new Error(`the PNG would be ${Math.round(w)}×${Math.round(h)} pixels (more than ${MAX_PNG_PIXELS / 1e6} million); lower --scale or write --svg`);
  }
  const resvg = loadResvg();
  const image = await resvg.renderAsync(svg, { fitTo: { mode: "zoom", value: scale }, font: { loadSystemFonts: true, defaultFontFamily: "Liberation Sans" }, background: "#ffffff", logLevel: "off" });
  return image.asPng();
}
