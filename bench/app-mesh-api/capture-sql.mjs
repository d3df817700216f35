// @ts-check
// Prints every SQL statement the api role sends to PostgreSQL for one Describe, Create and Update
// of a virtual node, captured on the wire by a counting proxy between the server and PostgreSQL.
// This is where the `as-issued` baseline's statement lists come from (baseline.mjs): run it again
// when the API's queries change, and update those lists to match.
//
//   node bench/app-mesh-api/capture-sql.mjs        (after `npm run bench:api` has built and migrated)
import net from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices } from '../../scripts/lib/services.mjs';
import { startApi } from './server.mjs';
import { RequestSigner, sendOk } from './signing.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
/** @param {string} msg */
const log = (msg) => process.stderr.write(`[capture-sql] ${msg}\n`);

/** What the proxy saw from the server while `capturing` was on: one entry per protocol message of interest. */
/** @type {string[]} */
let seen = [];
let capturing = false;
/** Texts of the prepared statements seen, by name (named statements are parsed once per connection). */
/** @type {Map<string, string>} */
const prepared = new Map();

const services = await ensureServices({ root, databases: ['meshplane_bench'], log });
const databaseUrl = services.databaseUrls['meshplane_bench'];
if (!databaseUrl) throw new Error('no URL for meshplane_bench');
const upstream = new URL(databaseUrl);

const proxy = net.createServer((client) => {
  const server = net.connect(Number(upstream.port || 5432), upstream.hostname);
  client.pipe(server);
  server.pipe(client);
  client.on('error', () => server.destroy());
  server.on('error', () => client.destroy());
  let buffered = Buffer.alloc(0);
  let started = false;
  client.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (!started) {
        // Startup (or SSLRequest) message: int32 length, int32 code, no type byte.
        if (buffered.length < 8) return;
        const length = buffered.readInt32BE(0);
        if (buffered.length < length) return;
        const code = buffered.readInt32BE(4);
        buffered = buffered.subarray(length);
        if (code !== 80877103) started = true;
        continue;
      }
      if (buffered.length < 5) return;
      const type = String.fromCharCode(buffered[0] ?? 0);
      const length = buffered.readInt32BE(1);
      if (buffered.length < 1 + length) return;
      const body = buffered.subarray(5, 1 + length);
      buffered = buffered.subarray(1 + length);
      if (type === 'P') {
        // Parse: statement name, NUL, query text, NUL, ... A named (prepared) statement is parsed
        // once per connection, perhaps before capturing, and then only bound: its runs are counted
        // at Bind.
        const nameEnd = body.indexOf(0);
        const name = body.subarray(0, nameEnd).toString('utf8');
        const text = body.subarray(nameEnd + 1, body.indexOf(0, nameEnd + 1)).toString('utf8');
        if (name !== '') prepared.set(name, text);
        else if (capturing) seen.push(text);
        continue;
      }
      if (!capturing) continue;
      if (type === 'B') {
        // Bind: portal name, NUL, statement name, NUL, ...
        const portalEnd = body.indexOf(0);
        const name = body.subarray(portalEnd + 1, body.indexOf(0, portalEnd + 1)).toString('utf8');
        if (name !== '') seen.push(`[prepared] ${prepared.get(name) ?? name}`);
      } else if (type === 'Q') {
        seen.push(body.subarray(0, body.indexOf(0)).toString('utf8'));
      } else if (type === 'S') {
        seen.push('<sync>');
      }
    }
  });
});
await /** @type {Promise<void>} */ (new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve)));
const address = proxy.address();
if (typeof address !== 'object' || !address) throw new Error('proxy has no address');
const proxied = new URL(databaseUrl);
proxied.hostname = '127.0.0.1';
proxied.port = String(address.port);

const redisUrl = `${services.redisUrl.replace(/\/\d*$/, '')}/2`;
const api = await startApi({ root, databaseUrl: proxied.toString(), redisUrl, poolSize: 10, log });
try {
  const res = await fetch(`http://127.0.0.1:${api.port}/admin/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `capture-${Date.now()}`, plan: 'enterprise' }),
  });
  const tenant = /** @type {{ accessKey: { accessKeyId: string, secretAccessKey: string } }} */ (await res.json());
  if (res.status !== 201) throw new Error(`creating a tenant: HTTP ${res.status}`);
  const signer = new RequestSigner(tenant.accessKey, api.port);
  /** @param {string} name @param {number} [port] */
  const spec = (name, port = 8080) => ({
    listeners: [{ portMapping: { port, protocol: 'http' } }],
    serviceDiscovery: { dns: { hostname: `${name}.local` } },
  });
  await sendOk(api.port, await signer.sign('PUT', '/v20190125/meshes', { meshName: 'm' }), 'CreateMesh');
  await sendOk(
    api.port,
    await signer.sign('PUT', '/v20190125/meshes/m/virtualNodes', { virtualNodeName: 'n0', spec: spec('n0') }),
    'CreateVirtualNode',
  );
  /** @type {[string, (i: number) => Promise<import('./signing.mjs').WireRequest>][]} */
  const operations = [
    ['DescribeVirtualNode', () => signer.sign('GET', '/v20190125/meshes/m/virtualNodes/n0')],
    [
      'CreateVirtualNode',
      (i) => signer.sign('PUT', '/v20190125/meshes/m/virtualNodes', { virtualNodeName: `x${i}`, spec: spec(`x${i}`) }),
    ],
    ['UpdateVirtualNode', () => signer.sign('PUT', '/v20190125/meshes/m/virtualNodes/n0', { spec: spec('n0', 9090) })],
  ];
  for (const [name, make] of operations) {
    // The third call of each shows the steady state (no first-use work).
    for (let i = 0; i < 3; i++) {
      const req = await make(i);
      seen = [];
      capturing = true;
      await sendOk(api.port, req, name);
      await new Promise((r) => setTimeout(r, 300)); // the last-used stamp is sent after the response
      capturing = false;
    }
    const statements = seen.filter((s) => s !== '<sync>');
    process.stdout.write(
      `\n${name}: ${statements.length} statements, ${seen.length - statements.length} round trips with Sync\n`,
    );
    for (const sql of statements) process.stdout.write(`  ${sql.replace(/\s+/g, ' ')}\n`);
  }
} finally {
  await api.stop();
  proxy.close();
}
