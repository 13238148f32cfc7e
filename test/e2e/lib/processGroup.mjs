// Child processes that start their own process group (setsid), so that stopping one also
// stops everything it started: code-server's extension host, the language server, watchers.
// Whatever is still alive when this process exits — normally or not — is killed.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";

const live = new Set();
const exitChores = new Set();

/** A synchronous chore for when this process exits without having done it (removing a temp dir). */
export function atExit(chore) {
  exitChores.add(chore);
  return () => exitChores.delete(chore);
}

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

/** Members of the group that still run (zombies excluded: nobody reaps them while we exit). */
function runningMembers(pgid) {
  if (!existsSync("/proc")) return groupAlive(pgid) ? 1 : 0;
  let count = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/PID/stat: pid (comm) state ppid pgrp … — comm may hold spaces and parentheses
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

process.on("exit", () => {
  for (const pid of live) killGroup(pid, "SIGKILL");
  // only synchronous waiting is possible here; the chores (removing their dirs) come after
  // the killed processes are gone, or they would write into them again
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 2000;
  while ([...live].some((pid) => runningMembers(pid) > 0) && Date.now() < deadline) Atomics.wait(nap, 0, 0, 20);
  for (const chore of exitChores) {
    try {
      chore();
    } catch {
      // best effort: the process is going away
    }
  }
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
