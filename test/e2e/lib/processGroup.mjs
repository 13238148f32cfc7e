// Child processes that start their own process group (setsid), so that stopping one also
// stops everything it started: code-server's extension host, the language server, watchers.
// Whatever is still alive when this process exits — normally or not — is killed.
import { spawn } from "node:child_process";

const live = new Set();

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

process.on("exit", () => {
  for (const pid of live) killGroup(pid, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    for (const pid of live) killGroup(pid, "SIGKILL");
    process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
  });
}

/** spawn() in a new session and process group; returns the child and its stopper. */
export function spawnGroup(command, args, options) {
  const child = spawn(command, args, { ...options, detached: true });
  live.add(child.pid);
  child.on("exit", () => {
    // the leader may exit before its children: keep tracking the group until it is empty
    if (!groupAlive(child.pid)) live.delete(child.pid);
  });
  return { child, stop: () => stopGroup(child.pid) };
}

/** SIGTERM to the whole group, SIGKILL to whatever is left after a grace period. */
export async function stopGroup(pid, graceMs = 3000) {
  if (!killGroup(pid, "SIGTERM")) {
    live.delete(pid);
    return;
  }
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (groupAlive(pid)) killGroup(pid, "SIGKILL");
  // after SIGKILL only zombies can remain (if nobody reaps them), and they hold nothing
  const reaped = Date.now() + 2000;
  while (groupAlive(pid) && Date.now() < reaped) await new Promise((r) => setTimeout(r, 20));
  live.delete(pid);
}
