// Generated .cnn documents of a given size, for benchmarks (analysis and LSP).

/** A VGG-like network of `layers` layer lines, with comments and labels like a real file. */
export function generatedNetwork(layers: number): string {
  const lines = ["# generated benchmark network — 生成的网络 · 생성된 네트워크", "network Big {", "  input 224x224x3"];
  let i = 0;
  let depth = 16;
  while (i < layers) {
    const kind = i % 5;
    if (kind === 0) lines.push(`  c${i}: conv ${depth} 3x3 pad 1      # keeps the size: (224 − 3 + 2·1)/1 + 1`);
    else if (kind === 1) lines.push("  bn");
    else if (kind === 2) lines.push("  relu");
    else if (kind === 3) lines.push(`  conv ${depth} 1x1 nobias`);
    else lines.push("  dropout 0.1");
    i++;
    if (i % 50 === 0) depth = depth === 16 ? 32 : 16;
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
