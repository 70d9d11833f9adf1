// The ordered list of schema migrations; PRAGMA user_version records how many have been applied.
import { sql as initial } from './001-initial.js';

export interface Migration {
  /** 1-based, equal to the user_version after it is applied. */
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
];
