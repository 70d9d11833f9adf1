// The fleet writer's thread: its own connection to the store; slices of a batch are collected, then committed in
// one transaction (see writer.ts for why this is not done on the serving thread).
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type FleetPollBatchEntry } from '../../store/index.js';
import type { WriterReply, WriterRequest } from './writer.js';

if (parentPort) {
  const port = parentPort;
  const store = openStore((workerData as { storeFile: string }).storeFile);
  let collected: FleetPollBatchEntry[] = [];
  port.on('message', (request: WriterRequest) => {
    if (request.op === 'slice') {
      for (const e of request.entries) collected.push(e);
      return;
    }
    let reply: WriterReply;
    try {
      if (request.op === 'commit') {
        const batch = collected;
        collected = [];
        store.fleet.record(batch);
        reply = { id: request.id, ok: true, value: batch.length };
      } else {
        reply = { id: request.id, ok: true, value: store.fleet.prune(request.before) };
      }
    } catch (err) {
      reply = { id: request.id, ok: false, message: (err as Error).message };
    }
    port.postMessage(reply);
  });
}
