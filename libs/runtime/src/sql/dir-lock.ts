// PGlite is one embedded PostgreSQL: two processes opening the same folder would corrupt it.
// A lock file holding the owner's pid keeps a second one out and lets a crashed owner's lock be taken over.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const LOCK_FILE = 'loom.lock';

/** Takes the folder's lock (creating the folder); resolves to the function that gives it back. */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const lockPath = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createLock(lockPath)) return () => rm(lockPath, { force: true });
    const holder = await readHolder(lockPath);
    if (holder === undefined) continue;
    if (isAlive(holder)) {
      throw new Error(
        `database folder ${dir} is in use by process ${holder}; stop it first, or delete ${lockPath} if that process is not Loom`,
      );
    }
    // Re-reading just before removing keeps a lock that another starting process has just taken
    // over; only two processes taking over the same stale lock within microseconds could both pass.
    if ((await readHolder(lockPath)) === holder) await rm(lockPath, { force: true });
  }
  throw new Error(`could not take the lock ${lockPath}: other processes keep taking it`);
}

/** Creates the lock with its content in one step (a hard link), so nobody ever reads it half written. */
async function createLock(lockPath: string): Promise<boolean> {
  const draft = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${process.pid}\n`);
  try {
    await link(draft, lockPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(draft, { force: true });
  }
}

async function readHolder(lockPath: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(lockPath, 'utf8'), 10);
    // A lock without a readable pid was not written by this code; treat it as abandoned.
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isAlive(pid: number): boolean {
  if (pid === 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
