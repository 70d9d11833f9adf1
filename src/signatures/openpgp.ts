// OpenPGP.js, loaded on first use: a server that neither signs nor verifies does not carry its ~8 MB of RSS.
import type * as OpenPGP from 'openpgp';
import { KusError } from '../errors/index.js';

let loading: Promise<typeof OpenPGP> | undefined;
let loaded: typeof OpenPGP | undefined;

export function loadOpenpgp(): Promise<typeof OpenPGP> {
  loading ??= import('openpgp').then((module) => (loaded = module));
  return loading;
}

/** The module, for code that holds an OpenPGP.js object already (so loadOpenpgp() has resolved). */
export function loadedOpenpgp(): typeof OpenPGP {
  if (!loaded) throw new KusError('KUS_ERR_INTERNAL', 'openpgp was used before loadOpenpgp() resolved');
  return loaded;
}
