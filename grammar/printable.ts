// Text from the document shown inside a message: one line, nothing invisible. Control
// characters, line and paragraph separators and lone surrogates are named (U+0000), and
// a very long piece is cut, so a message never breaks a line or hides what it quotes.

const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function printable(text: string, max = 40): string {
  const cut = text.length > max ? `${text.slice(0, max).replace(/[\ud800-\udbff]$/, "")}…` : text;
  return oneLine(cut);
}

/**
 * A whole message made safe for one line: what `printable` names is named here too,
 * nothing is cut. The last guard before a message leaves (the protocol, the command
 * line): a quoted value that was not passed through `printable` still cannot break it.
 */
export function oneLine(message: string): string {
  return message.replace(INVISIBLE, (c) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}
