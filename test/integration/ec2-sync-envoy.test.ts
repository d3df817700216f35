import { CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { createCloudMapMesh, createRegistryServices, startFrontendEnvoy } from '../support/cloud-map-mesh.js';
import { ec2Client, launch, terminate, uniqueTag } from '../support/ec2-fixture.js';
import { freePorts, startUpstream, type Upstream } from '../support/envoy.js';
import { startMoto, type Moto } from '../support/moto.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

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
  const upstreams: Upstream[] = [];
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
    await createCloudMapMesh(appMeshClient(app, tenant.accessKey), [
      { name: 'backend', port, awsCloudMap: { namespaceName: 'shop.local', serviceName: 'backend' } },
      {
        name: 'blue',
        port: port + 1,
        awsCloudMap: {
          namespaceName: 'shop.local',
          serviceName: 'backend',
          attributes: [{ key: 'color', value: 'blue' }],
        },
      },
    ]);
    await createRegistryServices(app, tenant, 'shop.local', ['backend']);
  });

  afterAll(async () => {
    for (const u of upstreams) await u.close();
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
    upstreams.push(
      await startUpstream('ec2-blue', { host: '127.0.0.2', port: upstreamPort }),
      await startUpstream('ec2-green', { host: '127.0.0.3', port: upstreamPort }),
      await startUpstream('api-registered', { host: '127.0.0.4', port: upstreamPort }),
    );

    const { envoy, reached } = await startFrontendEnvoy(app, tenant);
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
