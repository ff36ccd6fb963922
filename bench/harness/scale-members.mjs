// Starting one group member of the scale benchmarks (bench/scale-group.mjs, bench/scale-idle.mjs): the
// library's bench/clients/scale-member.mjs (with bench/fetch-probe.mjs preloaded) or Java's
// bench/java/ScaleMember.java, compiled once with javac (source mode would compile it in every member
// process, in its CPU and memory figures) and run through scripts/kafka/java-tool.sh.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
let javaClasses = null;

/** Compiles ScaleMember once per process; returns the class directory. */
function compiledJava() {
  if (javaClasses) return javaClasses;
  javaClasses = mkdtempSync(join(tmpdir(), 's-scale-member-'));
  const libs = `${process.env.HOME}/.cache/kafka-stage/kafka-${process.env.KAFKA_VERSION ?? '4.4.0'}/libs/*`;
  execFileSync('javac', ['-d', javaClasses, '-cp', libs, `${root}bench/java/ScaleMember.java`], { stdio: 'inherit' });
  return javaClasses;
}

/** Spawns a member of `client` ('java' or the library) with the member's own arguments; stdout and stderr piped. */
export function spawnMember(client, args) {
  if (client === 'java') {
    return spawn('bash', [`${root}scripts/kafka/java-tool.sh`, 'ScaleMember', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KAFKA_TOOL_CLASSPATH: compiledJava() },
    });
  }
  return spawn(process.execPath, ['--import', `${root}bench/fetch-probe.mjs`, `${root}bench/clients/scale-member.mjs`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}
