// Preloaded (--import) by scripts/node24.sh: under Node 24, `better-sqlite3` resolves to the copy built against
// Node 24's ABI in .cache/node24/addons, since node_modules holds the machine node's build. Child processes inherit
// it through NODE_OPTIONS; in a node whose ABI the copy was not built for, it changes nothing.
import fs from 'node:fs';
import module from 'node:module';

const addons = new URL('../.cache/node24/addons/', import.meta.url);
const built = new URL('node_modules/better-sqlite3/build/Release/better_sqlite3.node', addons);

if (typeof module.registerHooks === 'function' && process.versions.node.startsWith('24.') && fs.existsSync(built)) {
  // Resolving as if imported from a file in addons/ makes node find addons/node_modules/better-sqlite3 first.
  const parentURL = new URL('resolve-from-here.js', addons).href;
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === 'better-sqlite3' || specifier.startsWith('better-sqlite3/')) return nextResolve(specifier, { ...context, parentURL });
      return nextResolve(specifier, context);
    },
  });
}
