// The CPU time one thread has used. A script's CPU limit must count CPU, not the time its thread
// waited for a core: on a busy machine (a neighbour's runaway scripts, other processes on the node)
// a run that needs 1 ms of CPU can take hundreds of milliseconds of wall-clock time, and was stopped
// as a runaway. Linux keeps the figure per thread in /proc/<pid>/task/<tid>/schedstat (its first field:
// nanoseconds spent on a CPU). The file is opened once and read again from offset 0 (one pread); a
// read is a system call (about 1 µs, 40 µs in a small VM), so callers read it only when the wall
// clock says a limit may have been reached. Without /proc (not Linux) there is no clock and callers
// keep the wall clock.
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';

export class ThreadCpuClock {
  private readonly buffer = Buffer.alloc(96);

  private constructor(private readonly fd: number) {}

  /** The clock of the thread that calls this (open it in the thread to be measured). */
  static ofThisThread(): ThreadCpuClock | undefined {
    return ThreadCpuClock.open('/proc/thread-self/schedstat');
  }

  /** The clock of another thread of this process, by its id (threadId() in that thread). */
  static ofThread(tid: number): ThreadCpuClock | undefined {
    return ThreadCpuClock.open(`/proc/self/task/${tid}/schedstat`);
  }

  private static open(path: string): ThreadCpuClock | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return undefined;
    }
    const clock = new ThreadCpuClock(fd);
    if (Number.isFinite(clock.nowMs())) return clock;
    clock.close();
    return undefined;
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

/** The kernel's id of the calling thread, for ThreadCpuClock.ofThread in another thread; undefined without /proc. */
export function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}
