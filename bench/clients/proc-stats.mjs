// Peak RSS and CPU time of a process from /proc: read by the harness for a live runner, and by the
// wrapper runners (kcat, ConsumerPerformance) for a child that may exit before they report.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Peak RSS (VmHWM) in KiB of a live process, or null. */
export function peakRssKb(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * utime+stime (fields 14, 15), or with `children` cutime+cstime (16, 17: reaped children), of
 * /proc/<pid>/stat in clock ticks. Throws when the process is gone.
 */
function statTicks(pid, children) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  const at = children ? 13 : 11;
  return Number(fields[at]) + Number(fields[at + 1]);
}

/** User + system CPU time in ms of a live process (all its threads), or null. */
export function cpuMs(pid) {
  try {
    return (statTicks(pid, false) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Samples a child's peak RSS and CPU every 50 ms while it lives. */
export class ProcSampler {
  constructor(pid) {
    this.pid = pid;
    this.peakRssKb = 0;
    this.cpuTicks = 0;
    this.baseChildTicks = statTicks('self', true);
    this.timer = setInterval(() => this.sample(), 50);
    this.sample();
  }

  sample() {
    try {
      this.peakRssKb = Math.max(this.peakRssKb, peakRssKb(this.pid) ?? 0);
      this.cpuTicks = Math.max(this.cpuTicks, statTicks(this.pid, false));
    } catch {
      // exited between two samples
    }
  }

  /** After the child was reaped: its CPU is now in our children's totals, to the tick. */
  stopAfterExit() {
    clearInterval(this.timer);
    this.cpuTicks = Math.max(this.cpuTicks, statTicks('self', true) - this.baseChildTicks);
  }

  get cpuMs() {
    return Math.round((this.cpuTicks * 1000) / CLOCK_TICKS);
  }
}
