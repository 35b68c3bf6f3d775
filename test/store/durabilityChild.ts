/**
 * Child of durability.test.ts: opens the store named by argv[2] and writes single reports as fast
 * as it can, printing `ack <seq> <id> <number>` after each addReports has resolved, until killed.
 */
import { openStore } from '../../src/store/openStore.js';

const spec = process.argv[2] ?? '';
const dataDir = process.argv[3] ?? '.';
const store = await openStore(spec, dataDir);
process.stdout.write('ready\n');
const t0 = Date.UTC(2025, 0, 1);
for (let seq = 0; seq < 1_000_000; seq++) {
  const number = String(79990000000 + (seq % 10));
  const [out] = await store.addReports([
    {
      number,
      reporter: `r${seq}`,
      kind: 'ban',
      tags: [{ type: 'CATEGORY', id: seq % 3 }],
      comment: `report ${seq}`,
      unwanted: null,
      at: t0 + seq,
    },
  ]);
  // Writes to a pipe are synchronous on Linux: once this returns, the parent can read the line.
  process.stdout.write(`ack ${seq} ${out!.id} ${number}\n`);
}
await store.close();
