/**
 * A consistent copy of a SQLite store while the service runs: SQLite's online backup (it
 * copies the database page by page and starts over if a writer changed a page meanwhile), on a
 * read-only connection of its own. The copy is a complete store: restoring is putting it in a
 * data folder as `skywarden.db` (docs/deployment.md).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

export async function backupSqliteStore(path: string, out: string): Promise<{ pages: number }> {
  if (!existsSync(path)) throw new Error(`no store at ${path}`);
  if (existsSync(out)) throw new Error(`${out} exists: the backup does not overwrite a file`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const r = await db.backup(out);
    return { pages: r.totalPages };
  } finally {
    db.close();
  }
}
