// Waiting on state, never on time: poll a probe until it yields something truthy, and say
// what was last seen when it never does.

/** Thrown by a probe when waiting longer cannot help (the view shows an error). */
export class GiveUp extends Error {}

/**
 * @template T
 * @param {string} what  what we wait for, in words ("the hint → 28×28×6 in the editor")
 * @param {() => Promise<T> | T} probe  returns a truthy value when the state is reached
 * @param {{ timeout?: number, interval?: number, lastSeen?: () => Promise<string> | string }} [options]
 * @returns {Promise<T>}
 */
export async function until(what, probe, { timeout = 30_000, interval = 100, lastSeen } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      lastError = undefined;
    } catch (e) {
      if (e instanceof GiveUp) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, interval));
  }
  let seen = "";
  if (lastSeen) seen = await Promise.resolve().then(lastSeen).catch((e) => `(could not read: ${e.message})`);
  const because = lastError ? `; last error: ${lastError.message.split("\n")[0]}` : "";
  throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}${because}${seen ? `\n  on screen: ${seen}` : ""}`);
}

/** The editor draws spaces as U+00A0 and wraps text in many elements; compare plain text. */
export function plainText(text) {
  return text.replace(/\u00a0/g, " ").replace(/[ \t]+\n/g, "\n");
}

export function oneLine(text, max = 400) {
  const flat = plainText(text).replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
