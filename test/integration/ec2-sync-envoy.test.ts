import { createServer, type Server } from 'node:http';
import { CreateMeshCommand, CreateVirtualNodeCommand, CreateVirtualServiceCommand } from '@aws-sdk/client-app-mesh';
import { CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { ec2Client, launch, terminate, uniqueTag } from '../support/ec2-fixture.js';
import { countUpstreams, freePorts, startEnvoy } from '../support/envoy.js';
import { eventually } from '../support/eventually.js';
import { startMoto, type Moto } from '../support/moto.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

type Json = Record<string, any>;

/** An HTTP server on one loopback address that answers with its name in `x-upstream`. */
function serveAt(host: string, port: number, name: string): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => res.writeHead(200, { 'x-upstream': name }).end(name));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * The whole path with real parts: EC2 instances launched through the real SDK on the emulator,
 * with private addresses on the loopback network that this test serves; the worker syncs them
 * into the registry; a virtual node's `awsCloudMap` selects them (attribute filters too), the EDS
 * fast path pushes them, and a real Envoy routes traffic to them, beside an instance registered
 * through the API. A terminated instance leaves the routing after the next sync.
 */
describe('an Envoy routing to EC2-synced instances', () => {
  let moto: Moto;
  let app: TestApp;
  let tenant: CreatedTenant;
  const servers: Server[] = [];
  let port: number;
  let upstreamPort: number;

  const v1 = (method: string, path: string, body?: unknown) =>
    call(app.baseUrl, method, path, { authorization: `Bearer ${tenant.apiToken.token}` }, body);

  beforeAll(async () => {
    moto = await startMoto();
    app = await startTestApp(['api', 'worker', 'xds'], {
      EC2_SYNC_ALLOWED_ENDPOINTS: moto.endpoint,
      RECONCILE_DEBOUNCE_MS: '10',
      ENDPOINTS_DEBOUNCE_MS: '10',
    });
    [port, upstreamPort] = (await freePorts(2)) as [number, number];
    tenant = await createTenant(app);
    const mesh = appMeshClient(app, tenant.accessKey);
    await mesh.send(new CreateMeshCommand({ meshName: 'shop' }));
    const nodes: [string, number, Json][] = [
      ['backend', 0, { namespaceName: 'shop.local', serviceName: 'backend' }],
      [
        'blue',
        1,
        { namespaceName: 'shop.local', serviceName: 'backend', attributes: [{ key: 'color', value: 'blue' }] },
      ],
    ];
    for (const [name, offset, awsCloudMap] of nodes) {
      await mesh.send(
        new CreateVirtualNodeCommand({
          meshName: 'shop',
          virtualNodeName: name,
          spec: {
            listeners: [{ portMapping: { port: port + offset, protocol: 'http' } }],
            serviceDiscovery: { awsCloudMap: awsCloudMap as never },
          },
        }),
      );
      await mesh.send(
        new CreateVirtualServiceCommand({
          meshName: 'shop',
          virtualServiceName: `${name}.shop.local`,
          spec: { provider: { virtualNode: { virtualNodeName: name } } },
        }),
      );
    }
    await mesh.send(
      new CreateVirtualNodeCommand({
        meshName: 'shop',
        virtualNodeName: 'frontend',
        spec: {
          listeners: [{ portMapping: { port: 9080, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: 'frontend.local' } },
          backends: nodes.map(([name]) => ({ virtualService: { virtualServiceName: `${name}.shop.local` } })),
        },
      }),
    );
    expect((await v1('POST', '/v1/registry/namespaces', { Name: 'shop.local' })).status).toBe(201);
    expect((await v1('POST', '/v1/registry/namespaces/shop.local/services', { Name: 'backend' })).status).toBe(201);
  });

  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    await app?.close();
    await moto?.close();
  });

  it('routes to the synced instances and to an API-registered one, by attribute, until they go', async () => {
    // Instances whose private IPs are loopback addresses served here, on one port (the source's).
    const ec2 = ec2Client(moto.endpoint);
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '127.0.0.0/16' }));
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: '127.0.0.0/24', AvailabilityZone: 'us-east-1a' }),
    );
    const tag = uniqueTag();
    const subnetId = subnet.Subnet!.SubnetId!;
    await launch(ec2, 1, { suite: tag, color: 'blue' }, { subnetId, privateIps: ['127.0.0.2'] });
    const [green] = await launch(ec2, 1, { suite: tag, color: 'green' }, { subnetId, privateIps: ['127.0.0.3'] });
    servers.push(
      await serveAt('127.0.0.2', upstreamPort, 'ec2-blue'),
      await serveAt('127.0.0.3', upstreamPort, 'ec2-green'),
      await serveAt('127.0.0.4', upstreamPort, 'api-registered'),
    );

    const [admin, ingress, egress] = await freePorts(3);
    const query = `xdsHost=127.0.0.1&xdsPort=${app.app.get(XdsGrpcServer).port}&adminPort=${admin}&ingressPort=${ingress}&egressPort=${egress}`;
    const bootstrap = await v1('GET', `/v1/meshes/shop/virtualNodes/frontend/bootstrap?${query}`);
    expect(bootstrap.status).toBe(200);
    const envoy = await startEnvoy(parse(bootstrap.body as string) as Json, { readyTimeoutMs: 30_000 });
    const reached = (host: string, expected: string[]) =>
      eventually(`${host} answered by ${expected.join(', ')}`, 20_000, async () => {
        const seen = await countUpstreams(egress!, host, 30);
        return Object.keys(seen).sort().join(',') === [...expected].sort().join(',') ? seen : undefined;
      });
    const backendHost = `backend.shop.local:${port}`;
    const blueHost = `blue.shop.local:${port + 1}`;
    try {
      // (a) EC2 sync: the worker's scheduler runs the new source at once.
      const created = await v1('POST', '/v1/ec2-sync-sources', {
        name: 'shop-fleet',
        region: 'us-east-1',
        endpoint: moto.endpoint,
        tagFilters: [{ key: 'suite', values: [tag] }],
        namespaceName: 'shop.local',
        serviceName: 'backend',
        attributeTags: ['color'],
        port: upstreamPort,
        intervalSeconds: 3_600,
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
      });
      expect(created.status).toBe(201);
      await reached(backendHost, ['ec2-blue', 'ec2-green']);
      // The attribute filter (a tag the source copies): blue only.
      await reached(blueHost, ['ec2-blue']);

      // (b) API registration beside them.
      const registered = await v1('POST', '/v1/registry/namespaces/shop.local/services/backend/instances', {
        InstanceId: 'deploy-1',
        Attributes: { AWS_INSTANCE_IPV4: '127.0.0.4', AWS_INSTANCE_PORT: String(upstreamPort), color: 'blue' },
      });
      expect(registered.status).toBe(201);
      await reached(backendHost, ['ec2-blue', 'ec2-green', 'api-registered']);
      await reached(blueHost, ['ec2-blue', 'api-registered']);

      // A terminated instance leaves at the next sync; a deregistered one at once.
      await terminate(ec2, [green!]);
      expect((await v1('POST', `/v1/ec2-sync-sources/${created.body.id}/sync`)).status).toBe(202);
      await reached(backendHost, ['ec2-blue', 'api-registered']);
      await v1('DELETE', '/v1/registry/namespaces/shop.local/services/backend/instances/deploy-1');
      await reached(backendHost, ['ec2-blue']);

      // Deleting the source removes its instances: nothing is left to route to.
      expect((await v1('DELETE', `/v1/ec2-sync-sources/${created.body.id}`)).status).toBe(200);
      await reached(blueHost, ['503']);
    } finally {
      await envoy.stop();
    }
  });
});
