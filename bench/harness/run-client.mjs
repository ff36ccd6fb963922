// Runs one client runner (PROTOCOL.md) to completion: spawns it (pinned with taskset when asked),
// watches its stdout for PID / READY / RESULT, reads the measured process's peak RSS and CPU time
// from /proc right after RESULT (or takes the runner's own figures when it reports them), then
// sends SIGTERM. A runner that does not report in time is killed and the run counts as failed.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cpuMs, peakRssKb } from '../clients/proc-stats.mjs';

/**
 * Runs `command args` and resolves with
 * `{ ok, error?, result, readyMs, peakRssKb, cpuMs, cpuAtReadyMs }`.
 * `onReady` (optional, async) runs once READY arrives — the latency scenario starts its producer there.
 */
export function runClient({ command, args, cpus, timeoutMs, onReady, env }) {
  const argv = cpus ? ['taskset', '-c', cpus, command, ...args] : [command, ...args];
  const started = performance.now();
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let measuredPid = child.pid;
  let readyMs = null;
  let cpuAtReadyMs = null;
  let stderrTail = '';
  child.stderr.on('data', (chunk) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => clearTimeout(killer));
      resolve({ readyMs, cpuAtReadyMs, ...outcome, stderr: outcome.ok ? undefined : stderrTail });
    };
    const timer = setTimeout(() => finish({ ok: false, error: `no RESULT within ${timeoutMs} ms` }), timeoutMs);
    child.on('exit', (code, signal) => finish({ ok: false, error: `exited (${code ?? signal}) before RESULT` }));
    child.on('error', (error) => finish({ ok: false, error: error.message }));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('PID ')) {
        measuredPid = Number(line.slice(4));
      } else if (line === 'READY' && readyMs === null) {
        readyMs = performance.now() - started;
        cpuAtReadyMs = cpuMs(measuredPid);
        if (onReady) onReady().catch((error) => finish({ ok: false, error: `onReady: ${error.message}` }));
      } else if (line.startsWith('RESULT ')) {
        const ownRss = peakRssKb(measuredPid);
        const ownCpu = cpuMs(measuredPid);
        let result;
        try {
          result = JSON.parse(line.slice(7));
        } catch (error) {
          finish({ ok: false, error: `bad RESULT: ${error.message}` });
          return;
        }
        finish({
          ok: true,
          result,
          peakRssKb: result.peakRssKb ?? ownRss,
          cpuMs: result.cpuMs ?? ownCpu,
        });
      }
    });
  });
}
