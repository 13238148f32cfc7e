// Commands beyond check and summary (the engine's `run` and `export`) register here.

import type { Analysis } from "../analysis";
import { runCommand } from "./run";
import { exportCommand } from "./export";
import { graphCommand } from "../diagram/cli";

export interface ExtraCommand {
  name: string;
  usage: string;
  run(args: string[], load: (file: string) => Analysis): Promise<number>;
}

export const extraCommands: ExtraCommand[] = [runCommand, exportCommand, graphCommand];
