/**
 * The error base class (src/errors.ts): `instanceof` holds across two copies of the package, as it
 * must when an application ends up with two versions of kafka-stage (or an ESM and a CJS copy), and
 * never holds for an error of another class.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as root from '../src/index.js';
import { KafkaStageError } from '../src/errors.js';

type ErrorClass = new (...args: never[]) => Error;
type Root = typeof root;

function errorClasses(mod: Record<string, unknown>): [string, ErrorClass][] {
  return Object.entries(mod).filter((entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && (entry[1] as { prototype?: unknown }).prototype instanceof Error);
}

describe('KafkaStageError across two copies of the package', () => {
  let dir = '';
  let copy: Root;

  before(async () => {
    // A second copy of the whole source tree: its classes are distinct objects from this copy's.
    dir = mkdtempSync(join(tmpdir(), 'kafka-stage-copy-'));
    cpSync(fileURLToPath(new URL('../src/', import.meta.url)), join(dir, 'src'), { recursive: true });
    copy = (await import(pathToFileURL(join(dir, 'src', 'index.ts')).href)) as Root;
    assert.notEqual(copy.KafkaStageError, root.KafkaStageError, 'the copy is a second module instance');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("an error made by the other copy is an instance of this copy's class and of every class above it", () => {
    const closed = new copy.ConnectionClosedError('gone', { broker: 1 });
    assert.ok(closed instanceof root.ConnectionClosedError);
    assert.ok(closed instanceof root.ConnectionError);
    assert.ok(closed instanceof root.KafkaStageError);
    assert.ok(closed instanceof Error);
    const denied = new root.TopicAuthorizationError({ topic: 'orders' });
    assert.ok(denied instanceof copy.TopicAuthorizationError);
    assert.ok(denied instanceof copy.AuthorizationError);
    assert.ok(denied instanceof copy.KafkaError);
    assert.ok(denied instanceof copy.KafkaStageError);
  });

  it('an error of another class is not an instance, whichever copy made it', () => {
    const closed = new copy.ConnectionClosedError('gone');
    assert.ok(!(closed instanceof root.RequestTimeoutError));
    assert.ok(!(closed instanceof root.ProtocolError));
    assert.ok(!(closed instanceof root.KafkaError));
    const base = new copy.KafkaStageError('ERR_CLOSED', 'closed');
    assert.ok(!(base instanceof root.ConnectionError), 'a base error is not an instance of a subclass');
    const timeout = new copy.RequestTimeoutError('slow');
    assert.ok(!(timeout instanceof root.ConnectionError));
    assert.ok(!(new Error('plain') instanceof root.KafkaStageError));
    assert.ok(!((null as unknown as object) instanceof root.KafkaStageError));
    assert.ok(!({ code: 'ERR_CLOSED' } instanceof root.KafkaStageError), 'a look-alike object without the brand is not one');
  });

  it('every error class exported by the root declares its own brand, its exported name, in both copies', () => {
    const mine = new Map(errorClasses(root as unknown as Record<string, unknown>));
    const theirs = errorClasses(copy as unknown as Record<string, unknown>);
    assert.ok(theirs.length >= 30, `only ${theirs.length} error classes`);
    for (const [name, cls] of theirs) {
      const other = mine.get(name);
      assert.ok(other, `${name} exported by both copies`);
      assert.ok(Object.hasOwn(other, 'brand') && (other as unknown as { brand: string }).brand === name, `${name} declares its own brand, its exported name`);
      assert.ok(Object.hasOwn(cls, 'brand'), `${name} of the copy declares its brand`);
    }
  });

  it("a user's subclass without a brand of its own is still a KafkaStageError, and no other class's instance is one of it", () => {
    class MyError extends copy.KafkaStageError {
      constructor() {
        super('ERR_CLOSED', 'mine');
      }
    }
    const mine = new MyError();
    assert.ok(mine instanceof MyError);
    assert.ok(mine instanceof root.KafkaStageError, 'the brands of the chain above it hold across copies');
    assert.ok(!(new root.KafkaStageError('ERR_CLOSED', 'x') instanceof MyError), 'an inherited brand does not make MyError match its base');
    assert.ok(!(new copy.KafkaStageError('ERR_CLOSED', 'x') instanceof MyError));
  });

  it('the brands are not enumerable: a logged or compared error shows its fields only', () => {
    const err = new KafkaStageError('ERR_CLOSED', 'closed', { context: { topic: 't' } });
    assert.deepEqual(Object.keys(err).sort(), ['code', 'context', 'name', 'retriable']);
    assert.deepEqual(Object.getOwnPropertySymbols(err), [Symbol.for('kafka-stage.error')]);
  });

  it('every error class declares a brand no other class uses', () => {
    const brands = errorClasses(root as unknown as Record<string, unknown>).map(([, cls]) => (cls as unknown as { brand: string }).brand);
    assert.equal(new Set(brands).size, brands.length);
  });
});
