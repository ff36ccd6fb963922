/** Test helper: one connected Admin for a test file, opened before its tests and closed after them. */
import { after, before } from 'node:test';
import { Admin } from '../../src/admin/index.js';

/** Registers before/after hooks in the calling test file; the returned function gives the Admin once `before` ran. */
export function useAdmin(brokers: string[]): () => Admin {
  let admin: Admin | null = null;
  before(async () => {
    admin = new Admin({ brokers });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
  });
  return () => {
    if (admin === null) throw new Error('useAdmin: the Admin is connected in before(); call this from a test');
    return admin;
  };
}
