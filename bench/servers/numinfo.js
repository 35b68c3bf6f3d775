// The numinfo HTTP server as the CLI builds it (buildServer, log level silent) over a registry
// snapshot. `node bench/servers/numinfo.js --snapshot FILE [--port N]`
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { argValue, serveControl } from './ipc.js';

const started = performance.now();
const DIST = join(import.meta.dirname, '..', '..', 'dist');
const load = (p) => import(pathToFileURL(join(DIST, p)).href);
const { readSnapshotFile } = await load('data/snapshot.js');
const { RegistryIndex } = await load('data/registryIndex.js');
const { NumberService } = await load('services/numberService.js');
const { buildServer } = await load('http/server.js');

const snapshot = argValue('snapshot');
if (!snapshot) {
  console.error('usage: node bench/servers/numinfo.js --snapshot FILE [--port N]');
  process.exit(2);
}
const service = new NumberService(new RegistryIndex(readSnapshotFile(snapshot)));
const loadedMs = performance.now() - started;
const app = buildServer({ service, config: { batchLimit: 1000, logLevel: 'silent' } });
await app.listen({ port: Number(argValue('port', '0')), host: '127.0.0.1' });
serveControl(app.server.address().port, { loadedMs, listeningMs: performance.now() - started });
