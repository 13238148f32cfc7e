// What every command of `cnn` shares, below all of them: the usage error (exit status 2)
// and the shape of a command beyond check and summary (run, export, …; registered in
// cli/commands.ts). Nothing here imports another command, so no command imports cnn.ts.

import type { Analysis } from "../analysis";

/** bad usage or an unreadable file: the message is printed as it is, and `cnn` exits with 2 */
export class UsageError extends Error {}

export interface ExtraCommand {
  name: string;
  usage: string;
  run(args: string[], load: (file: string) => Analysis): Promise<number>;
}
