/**
 * A FIFO queue over an array with a moving head: taking from the front moves an index instead of
 * shifting the array (`Array.prototype.shift` is O(n) once an array is long), and the taken front
 * is dropped in one copy once it is the larger part of the array, so memory stays bounded by about
 * twice what is queued and each item is copied at most a few times.
 *
 * Imports nothing: any layer may use it.
 */

/** Taken items kept before the front is dropped (in one `slice`, once they outnumber the rest). */
export const COMPACT_AFTER = 1024;

/** A FIFO queue; items are read by position from the front, and taken from the front only. */
export class MovingHeadQueue<T> {
  private items: T[] = [];
  private head = 0;

  /** Items queued. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds `item` at the back. */
  push(item: T): void {
    this.items.push(item);
  }

  /** The item `index` places from the front (0: the front), or `undefined` past the back. */
  at(index: number): T | undefined {
    return index >= 0 && index < this.length ? this.items[this.head + index] : undefined;
  }

  /** The front item, or `undefined` when empty. */
  peek(): T | undefined {
    return this.at(0);
  }

  /** Takes the front item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.head++;
    this.compact();
    return item;
  }

  /** Takes the first `n` items (fewer when fewer are queued), oldest first. */
  take(n: number): T[] {
    const count = Math.max(0, Math.min(n, this.length));
    const out = this.items.slice(this.head, this.head + count);
    this.head += count;
    this.compact();
    return out;
  }

  /** Drops the first `n` items (fewer when fewer are queued) without handing them out. */
  drop(n: number): void {
    this.head += Math.max(0, Math.min(n, this.length));
    this.compact();
  }

  /** Drops every item. */
  clear(): void {
    this.items = [];
    this.head = 0;
  }

  /** Forgets taken items: all at once when none is left, else once they are most of the array. */
  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > COMPACT_AFTER && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** For tests: the length of the array under the queue (queued items plus taken ones not yet dropped). */
  get storedLength(): number {
    return this.items.length;
  }
}
