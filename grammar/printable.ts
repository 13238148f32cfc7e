// Text from the document shown inside a message: one line, nothing invisible. Control
// characters, line and paragraph separators, lone surrogates and the bidirectional
// controls are named (U+0000, U+202E), and a very long piece is cut, so a message never
// breaks a line, reorders the text around it (a RIGHT-TO-LEFT OVERRIDE quoted from the
// document would turn the rest of the message, or the editor's line, around) or hides
// what it quotes.

// (the bidirectional formatting characters: ALM U+061C, LRM and RLM U+200E/200F, LRE…RLO
// U+202A–202E, LRI…PDI U+2066–2069)
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

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

/**
 * A message about a file from outside (a weights file, a model, a class list) made safe to
 * print: each line as `oneLine` makes it, any word longer than 100 characters cut (a name
 * a file made a megabyte long), each line at most 1,000 characters and at most 40 lines.
 */
export function boundedMessage(message: string, maxLine = 1000, maxLines = 40): string {
  const lines = message.split(/\r\n|\r|\n/).map((line) => {
    const cutWords = oneLine(line).replace(/\S{101,}/g, (word) => `${word.slice(0, 80).replace(/[\ud800-\udbff]$/, "")}…`);
    return cutWords.length > maxLine ? `${cutWords.slice(0, maxLine).replace(/[\ud800-\udbff]$/, "")}…` : cutWords;
  });
  return lines.length > maxLines ? [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`].join("\n") : lines.join("\n");
}
