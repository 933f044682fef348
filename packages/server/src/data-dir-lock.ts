/**
 * One service per data folder: `skywarden.pid` in it names the process that holds it. A
 * second service on the same folder is refused with a message naming the first; the mark of
 * a process that is gone is taken over.
 *
 * "Gone" must survive PID reuse. After a kill -9 and a reboot, or a container restart, the PID
 * in the mark may belong to another live process (PID 1 in a container), or to this very
 * process. So the mark also records, where Linux gives them, the boot's id
 * (`/proc/sys/kernel/random/boot_id`) and the process's start time in clock ticks since boot
 * (`/proc/<pid>/stat`, field 22). The mark's process is alive only if a process with that PID
 * exists, on the same boot, with the same start time. Without /proc (another system), or with
 * a mark of one line (older versions), the PID alone decides, as before. This process's own
 * PID in a mark of a folder it does not hold is a mark from before a restart.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from './errors.js';

/** The folders this process holds (a second service in one process is refused too). */
const held = new Set<string>();

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The boot's id, or undefined without /proc. */
function bootId(): string | undefined {
  return readOr('/proc/sys/kernel/random/boot_id')?.trim() || undefined;
}

/** A process's start time (clock ticks after boot, as text), or undefined when it or /proc is not there. */
function startTime(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // fields after the command name, which is in parentheses and may hold spaces or parentheses
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest[19];
}

/** Whether a process with this PID exists (one we may not signal counts). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process a mark names is the one running now. */
function markAlive(mark: string, dir: string): { pid: number; alive: boolean } {
  const [pidText, boot, start] = mark.trim().split('\n');
  const pid = Number(pidText);
  if (!(Number.isInteger(pid) && pid > 0)) return { pid, alive: false };
  if (pid === process.pid) return { pid, alive: held.has(dir) };
  if (!pidExists(pid)) return { pid, alive: false };
  if (boot !== undefined && start !== undefined) {
    const nowBoot = bootId();
    const nowStart = startTime(pid);
    if (nowBoot !== undefined && nowBoot !== boot) return { pid, alive: false };
    if (nowStart !== undefined && nowStart !== start) return { pid, alive: false };
  }
  return { pid, alive: true };
}

/** Takes the data folder for this process. Returns the release. Throws a ConfigError naming the holder when another live service has it. */
export function lockDataDir(folder: string): () => void {
  const dir = resolve(folder);
  const path = join(dir, 'skywarden.pid');
  const boot = bootId();
  const start = startTime(process.pid);
  const mine = boot !== undefined && start !== undefined ? `${process.pid}\n${boot}\n${start}\n` : String(process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, mine, { flag: 'wx' });
      held.add(dir);
      return () => {
        held.delete(dir);
        try {
          if (readFileSync(path, 'utf8') === mine) rmSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const mark = readOr(path);
    if (mark === undefined) continue; // removed meanwhile: try again
    const { pid, alive } = markAlive(mark, dir);
    if (alive) throw new ConfigError(`data folder ${folder} is in use by process ${pid} (another skywarden serve?): stop it, or give this one another data folder (--data-dir)`);
    rmSync(path, { force: true }); // left by a process that is gone
  }
  throw new ConfigError(`data folder ${folder}: could not take ${path}`);
}
