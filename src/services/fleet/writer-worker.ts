// The fleet writer's thread: its own connection to the store; the JSON chunks of a batch are collected, then committed in
// one transaction (see writer.ts for why this is not done on the serving thread).
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../store/index.js';
import { refreshRows, type FleetRefreshColumns } from './refresh-columns.js';
import type { WriterReply, WriterRequest } from './writer.js';

if (parentPort) {
  const port = parentPort;
  const store = openStore((workerData as { storeFile: string }).storeFile);
  let collected: string[] = [];
  let refreshes: FleetRefreshColumns[] = [];
  port.on('message', (request: WriterRequest) => {
    if (request.op === 'chunk') {
      collected.push(request.json);
      return;
    }
    if (request.op === 'refreshes') {
      refreshes.push(request.columns);
      return;
    }
    let reply: WriterReply;
    try {
      if (request.op === 'commit') {
        const chunks = collected;
        const columns = refreshes;
        collected = [];
        refreshes = [];
        store.fleet.recordEncoded(chunks, columns.flatMap((c) => [...refreshRows(c)]));
        reply = { id: request.id, ok: true, value: chunks.length };
      } else {
        reply = { id: request.id, ok: true, value: store.fleet.prune(request.before) };
      }
    } catch (err) {
      reply = { id: request.id, ok: false, message: (err as Error).message };
    }
    port.postMessage(reply);
  });
}
