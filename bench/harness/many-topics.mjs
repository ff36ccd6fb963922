// Many topics of a few partitions each, for the scale benchmarks (issue 14, item 4: "60 topics × 50
// partitions"): `--prepare-topics 60x50 --topic-prefix t-m60-` names t-m60-00 … t-m60-59, creates the
// missing ones in one CreateTopics request and fills each empty one with the CLI's producer (as
// bench/harness/whole-process.mjs makes the 1000-partition topic), `records` in total spread evenly
// (the first `records % count` topics get one more). A topic that already holds its share is reused,
// so creating 3000 partitions on the shared broker happens once; one holding anything else is an
// error (a half-filled topic is not silently topped up or deleted).
import { spawnSync } from 'node:child_process';
import { Admin } from '../../dist/index.js';
import { recordCount } from './topics.mjs';

/** Parses `60x50` into { count: 60, partitions: 50 }. */
export function parseShape(spec) {
  const match = /^(\d+)x(\d+)$/.exec(spec);
  if (!match) throw new Error(`--prepare-topics wants COUNTxPARTITIONS (e.g. 60x50), not ${spec}`);
  return { count: Number(match[1]), partitions: Number(match[2]) };
}

/** The topic names: prefix + the index, zero-padded to at least two digits. */
export function manyTopicNames(prefix, count) {
  const width = Math.max(2, String(count - 1).length);
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(width, '0')}`);
}

/** Records of topic `i` when `records` are spread over `count` topics. */
const share = (records, count, i) => Math.floor(records / count) + (i < records % count ? 1 : 0);

/**
 * Makes sure every topic of the shape exists with `partitions` partitions and its share of `records`
 * values of `size` bytes, written by the CLI at `cli` (dist/cli/main.js). Returns the names.
 */
export async function prepareManyTopics({ cli, brokers, prefix, count, partitions, records, size, say }) {
  const names = manyTopicNames(prefix, count);
  const admin = new Admin({ brokers: brokers.split(','), clientId: 'bench-prepare' });
  const empty = [];
  try {
    const missing = [];
    for (const [i, topic] of names.entries()) {
      const have = await recordCount(admin, topic, partitions);
      if (have < 0) missing.push(topic);
      else if (have === 0) empty.push(topic);
      else if (have !== share(records, count, i)) {
        throw new Error(`${topic} holds ${have} records, not ${share(records, count, i)}: delete the ${prefix}* topics first`);
      }
    }
    if (missing.length > 0) {
      say(`creating ${missing.length} topics of ${partitions} partitions (${prefix}*)`);
      const started = Date.now();
      await admin.createTopics(missing.map((topic) => ({ topic, partitions, replicationFactor: 1 })));
      say(`created in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      empty.push(...missing);
    }
  } finally {
    await admin.close();
  }
  if (empty.length === 0) say(`${prefix}*: reusing ${count} topics, ${records} records of ${size} B`);
  const started = Date.now();
  for (const topic of empty) {
    const n = share(records, count, names.indexOf(topic));
    const made = spawnSync(process.execPath, [cli, 'produce', '-b', brokers, '-t', topic, '--count', String(n), '--size', String(size), '-q'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (made.status !== 0) throw new Error(`could not produce ${topic}`);
  }
  if (empty.length > 0) say(`filled ${empty.length} topics in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return names;
}
