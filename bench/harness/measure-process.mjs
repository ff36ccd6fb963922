// Whole-process measurement of one command, as a user would time it at a shell: wall time from spawn
// to exit, CPU time (user + system, exact once the child is reaped) and peak RSS (sampled).
import { spawn } from 'node:child_process';
import { ProcSampler } from '../clients/proc-stats.mjs';

/**
 * Runs `command args` to its exit. `stdout` is 'pipe' (collected and returned) or a file descriptor
 * (e.g. /dev/null); stderr is collected. Rejects when the command exits non-zero.
 * @returns {Promise<{ wallMs: number, cpuMs: number, rssMb: number, stdout: string, stderr: string }>}
 */
export function measureProcess(command, args, { stdout = 'pipe', env } = {}) {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', stdout, 'pipe'], env: env ? { ...process.env, ...env } : process.env });
    const sampler = new ProcSampler(child.pid);
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - startedAt;
      sampler.stopAfterExit();
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
      else resolve({ wallMs, cpuMs: sampler.cpuMs, rssMb: sampler.peakRssKb / 1024, stdout: out, stderr: err });
    });
  });
}
