// The CPU time one thread has used. A script's CPU limit must count CPU, not the time its thread
// waited for a core: on a busy machine (a neighbour's runaway scripts, other processes on the node)
// a run that needs 1 ms of CPU can take hundreds of milliseconds of wall-clock time, and was stopped
// as a runaway. Linux keeps the figure per thread in /proc/<pid>/task/<tid>/schedstat (its first field:
// nanoseconds spent on a CPU). The file is opened once and read again from offset 0 (one pread); a
// read is a system call (about 1 µs, 40 µs in a small VM), so callers read it only when the wall
// clock says a limit may have been reached. Without /proc (not Linux) there is no clock and callers
// keep the wall clock. A descriptor belongs to the process, not the thread: another thread may read
// it too, and must close it once the thread is gone (a terminated worker closes nothing).
import { closeSync, openSync, readSync } from 'node:fs';

export class ThreadCpuClock {
  private readonly buffer = Buffer.alloc(96);

  private constructor(readonly fd: number) {}

  /** The clock of the thread that calls this (open it in the thread to be measured). */
  static ofThisThread(): ThreadCpuClock | undefined {
    let fd: number;
    try {
      fd = openSync('/proc/thread-self/schedstat', 'r');
    } catch {
      return undefined;
    }
    const clock = new ThreadCpuClock(fd);
    if (Number.isFinite(clock.nowMs())) return clock;
    clock.close();
    return undefined;
  }

  /** The clock another thread opened (its `fd`), read from this one. */
  static adopt(fd: number): ThreadCpuClock {
    return new ThreadCpuClock(fd);
  }

  /** Milliseconds of CPU the thread has used since it started; NaN once the thread is gone. */
  nowMs(): number {
    try {
      const read = readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
      return Number.parseInt(this.buffer.toString('latin1', 0, read), 10) / 1e6;
    } catch {
      return Number.NaN;
    }
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
