// SQLite failures of the file itself (damaged pages, I/O, a full disk, a lock held too long) as KUS_ERR_STORE naming
// the file: they are the operator's to fix, not bugs (KUS_ERR_INTERNAL).
import Database from 'better-sqlite3';
import { KusError, quote } from '../errors/index.js';

/** Result codes (and their extended forms, e.g. SQLITE_IOERR_SHORT_READ) that say the file, not the SQL, failed. */
const FILE_FAILURE = /^SQLITE_(CORRUPT|NOTADB|IOERR|FULL|CANTOPEN|READONLY|BUSY|LOCKED|PROTOCOL|PERM|AUTH)(_|$)/;
const DAMAGE = /^SQLITE_(CORRUPT|NOTADB)(_|$)/;

/**
 * The KusError for a SQLite failure of the file, or undefined for anything else (left as it is). `role` names the file
 * in the message: the live `store` (then the message says how to recover) or a `file` being checked (a backup).
 */
export function storeFailure(err: unknown, file: string, role: 'store' | 'file' = 'store'): KusError | undefined {
  if (!(err instanceof Database.SqliteError) || !FILE_FAILURE.test(err.code)) return undefined;
  const sqlite = `(${err.code}: ${err.message})`;
  const advice = role === 'store' ? '; restore it from a backup ("kus restore --help")' : '';
  const what = err.code === 'SQLITE_NOTADB'
    ? `${role} ${quote(file)} is not an SQLite database, or is damaged ${sqlite}${advice}`
    : DAMAGE.test(err.code)
      ? `${role} ${quote(file)} is damaged ${sqlite}${advice}`
      : `${role} ${quote(file)} failed ${sqlite}`;
  return new KusError('KUS_ERR_STORE', what, { file, sqlite: err.code }, { cause: err });
}

/**
 * Wraps every method of `target` so that a SQLite failure of the file surfaces as KUS_ERR_STORE naming it, wherever
 * the call came from (an admin request, a rebuild, the CLI). Methods are wrapped once, on first use.
 */
export function guardFailures<T extends object>(target: T, file: string): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(obj, prop) {
      const value: unknown = Reflect.get(obj, prop, obj);
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(prop);
      if (fn === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        fn = (...args: unknown[]): unknown => {
          try {
            return method.apply(obj, args);
          } catch (err) {
            throw storeFailure(err, file) ?? err;
          }
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
