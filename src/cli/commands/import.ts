// `kus import`: replace a local store's releases and graph-data with a graph-data directory (+ a graph-builder JSON).
import { DEFAULT_DB_FILE, withContext } from '../../compose/index.js';
import { importGraphData, type ImportReport } from '../../services/graph-data-service.js';
import { readSignaturesForImport, signaturesDirOf } from '../../services/signature-files.js';
import { stringFlag, targetFlags, writeJson, storeOptions, type Command } from '../command.js';
import { withProgress } from '../progress.js';

function summary(r: ImportReport): string {
  return `schema ${r.schemaVersion}: ${r.releases} releases, ${r.channels} channels, ${r.blockedEdges} blocked edges, ` +
    `${r.conditionalEdges} conditional edges, ${r.rawMetadata} raw metadata entries`;
}

export const command: Command = {
  path: ['import'],
  summary: 'replace the store\'s releases and graph-data with a graph-data directory',
  description: [
    'Reads a graph-data directory (version, raw/metadata.json, channels/, blocked-edges/ and KUS\'s releases/',
    'extension; see docs/graph-data.md) strictly: any file upstream would skip or KUS would refuse (bad YAML,',
    'a version that is not SemVer, a regex that does not compile, a risk clusters would reject, an unsupported',
    'schema...) fails the import with KUS_ERR_GRAPH_DATA, listing every file and reason, and the store is not',
    'touched. Tolerated oddities (.yml files, files that are neither kind of blocked edge) are printed as warnings.',
    '',
    'With --raw, the nodes and edges of a graph-builder JSON document (e.g. graph-gb-raw.json) become releases,',
    'imported together with the graph-data. Before anything is written the graph is built once, so input that',
    'would abort a rebuild (a cycle, one version with two digests) is refused too. The whole content of the store',
    'is replaced in one transaction, and an audit row records it.',
    '',
    'Signatures under signatures/sha256/<hex>/signature-N are added (never replacing stored ones; identical files',
    'are not stored twice). Each must be a binary OpenPGP signed message whose claim names its folder\'s digest, and',
    'one made by a stored key must verify, else the whole import is refused. One made by a key KUS does not hold is',
    'kept with a warning: import the key (signatures/keys/NAME.asc, kus key import) first to have it checked.',
  ].join('\n'),
  flags: {
    'graph-data': { type: 'string', valueName: 'DIR', required: true, description: 'graph-data directory to import' },
    raw: { type: 'string', valueName: 'RAW.json', description: 'graph-builder JSON document whose nodes and edges become releases' },
    db: { ...targetFlags.db!, description: `local SQLite store to replace (default ${DEFAULT_DB_FILE})` },
  },
  examples: [
    'kus import --graph-data ./graph-data',
    'kus import --db /var/lib/kus/kus.db --graph-data cincinnati-graph-data --raw graph-gb-raw.json',
    'kus import --graph-data ./graph-data --json | jq .warnings',
  ],
  async run(ctx) {
    const rawFile = stringFlag(ctx.flags, 'raw');
    await withContext(storeOptions(ctx, true), async (ctxStore) => {
      const graphDataDir = stringFlag(ctx.flags, 'graph-data')!;
      const report = await withProgress(ctx, `importing ${graphDataDir}`, async (p) => {
        p.step('reading and checking signatures');
        const signatures = await readSignaturesForImport(ctxStore.store, signaturesDirOf(graphDataDir), new Date());
        p.step('reading graph-data, building the graph and writing the store');
        return importGraphData(ctxStore.store, {
          graphDataDir,
          ...(signatures ? { signatures } : {}),
          ...(rawFile ? { rawFile } : {}),
          actor: 'cli',
        });
      });
      if (ctx.json) {
        writeJson(ctx.stdout, { db: ctxStore.file, ...report });
        return;
      }
      for (const w of report.warnings) ctx.stderr.write(`warning: ${w.file}: ${w.reason}\n`);
      ctx.stdout.write(`imported ${report.graphDataDir}${report.rawFile ? ` and ${report.rawFile}` : ''} into ${ctxStore.file}\n`);
      ctx.stdout.write(`  ${summary(report)}\n`);
      if (report.signatures) ctx.stdout.write(`  ${report.signatures.read} signatures read, ${report.signatures.added} new\n`);
      if (report.warnings.length > 0) ctx.stdout.write(`  ${report.warnings.length} warnings (on stderr)\n`);
    });
  },
};
