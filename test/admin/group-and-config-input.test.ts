// Input checks of Admin.alterConfigs and Admin.alterGroupOffsets: bad input is an InvalidOptionError naming the field, before anything is sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { InvalidOptionError } from '../../src/errors.js';

// Nothing listens there: a check that let bad input through would fail on connecting instead, with another error.
const admin = new Admin({ brokers: ['127.0.0.1:1'], retry: { retries: 0 } });

test('alterConfigs: each resource needs ops, each op a known kind and a value unless a delete, each config once', async () => {
  const cases: [unknown, string][] = [
    [[], 'resources'],
    [[{ type: 'topic', name: 't' }], 'resources[0].ops'],
    [[{ type: 'topic', name: 't', ops: [] }], 'resources[0].ops'],
    [[{ type: 'group', name: 't', ops: [{ name: 'a', op: 'set', value: '1' }] }], 'resources[0].type'],
    [[{ type: 'topic', name: 't', ops: [{ name: 'a', op: 'replace', value: '1' }] }], 'resources[0].ops[0].op'],
    [[{ type: 'topic', name: 't', ops: [{ name: 'a', op: 'set' }] }], 'resources[0].ops[0].value'],
    [[{ type: 'topic', name: 't', ops: [{ name: 'a', op: 'delete', value: '1' }] }], 'resources[0].ops[0].value'],
    [[{ type: 'topic', name: 't', ops: [{ name: '', op: 'delete' }] }], 'resources[0].ops[0].name'],
    [[{ type: 'topic', name: 't', ops: [{ name: 'a', op: 'delete' }, { name: 'a', op: 'set', value: '1' }] }], 'resources[0].ops[1]'],
    [[{ type: 'topic', name: 't', ops: [{ name: 'a', op: 'delete' }] }], 'options.dryRun'],
  ];
  for (const [resources, path] of cases) {
    const options = path === 'options.dryRun' ? { dryRun: true } : undefined;
    await assert.rejects(
      admin.alterConfigs(resources as never, options as never),
      (err: unknown) => err instanceof InvalidOptionError && err.message.includes(path),
      path,
    );
  }
});

test('alterGroupOffsets: a group id, each partition once, offsets non-negative integers', async () => {
  const cases: [string, unknown, string][] = [
    ['', [{ topic: 't', partition: 0, offset: 1 }], 'groupId'],
    ['g', [], 'offsets'],
    ['g', [{ topic: 'bad topic', partition: 0, offset: 1 }], 'offsets[0].topic'],
    ['g', [{ topic: 't', partition: -1, offset: 1 }], 'offsets[0].partition'],
    ['g', [{ topic: 't', partition: 0, offset: -1 }], 'offsets[0].offset'],
    ['g', [{ topic: 't', partition: 0, offset: 1.5 }], 'offsets[0].offset'],
    ['g', [{ topic: 't', partition: 0, offset: 1 }, { topic: 't', partition: 0, offset: 2 }], 'offsets[1]'],
  ];
  for (const [groupId, offsets, path] of cases) {
    await assert.rejects(admin.alterGroupOffsets(groupId, offsets as never), (err: unknown) => err instanceof InvalidOptionError && err.message.includes(path), path);
  }
  await assert.rejects(admin.deleteGroups([]), (err: unknown) => err instanceof InvalidOptionError && err.message.includes('groupIds'));
  await assert.rejects(admin.describeTopics(['ok', 'not ok']), (err: unknown) => err instanceof InvalidOptionError && err.message.includes('names[1]'));
  await admin.close();
});
