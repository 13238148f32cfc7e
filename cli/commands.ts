// Commands beyond check and summary (the engine's `run` and `export`) register here.

import { runCommand } from "./run";
import { exportCommand } from "./export";
import { trainCommand } from "./train";
import { graphCommand } from "./graph";
import { importCommand } from "./import";
import type { ExtraCommand } from "./usage";

export type { ExtraCommand };

export const extraCommands: ExtraCommand[] = [runCommand, exportCommand, trainCommand, importCommand, graphCommand];
