import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Locator, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { launchChromium, newSession } from '../support/browser.js';
import { freePorts, startEnvoy, type RunningEnvoy } from '../support/envoy.js';
import { eventually } from '../support/eventually.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant } from '../support/tenant-builder.js';

type Json = Record<string, any>;

/** How long a check that polls the page waits: the app, Envoy and Chromium share two cores with other tests. */
const WAIT = { timeout: 15_000 };

/** The spec of the virtual node `checked` of mesh shop. */
const CHECKED_SPEC = `{ mesh(name: "shop") { virtualNodes(namePrefix: "checked") { nodes { spec: specJson } } } }`;

/** Set by `npm run docs:console`: where the screenshots of the main pages go (docs/console/). */
const SHOTS = process.env['MESHPLANE_CONSOLE_SCREENSHOTS'];

/**
 * The console in a real browser (Debian's Chromium through playwright-core) against the real app
 * (api, worker and xds roles, PostgreSQL, Redis) and a real Envoy started from a bootstrap the
 * console downloaded. The steps build on each other, in order, as an operator would go.
 */
// Each step drives a real browser against the whole fleet: more time than a unit test's default.
describe('web console (Chromium)', { timeout: 120_000 }, () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let envoy: RunningEnvoy | undefined;
  const consoleUrl = (hash = '') => `${app.baseUrl}/console/${hash ? `#/${hash}` : ''}`;
  const gql = (tenant: CreatedTenant, query: string, variables?: Json) =>
    call(app.baseUrl, 'POST', '/graphql', { authorization: `Bearer ${tenant.apiToken.token}` }, { query, variables });
  const shot = async (name: string) => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };
  const heading = (text: string | RegExp) => page.getByRole('heading', { level: 1, name: text });

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker', 'xds'], { RECONCILE_DEBOUNCE_MS: '10' });
    [alice, bob] = await Promise.all([createTenant(app), createTenant(app)]);
    browser = await launchChromium();
    ({ page } = await newSession(browser));
    page.on('dialog', (d) => void d.accept());
  });
  afterAll(async () => {
    await envoy?.stop();
    await browser?.close();
    await app?.close();
  });

  it('serves the shell without credentials, with a CSP and cache headers', async () => {
    const redirect = await fetch(`${app.baseUrl}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/console/');
    const shell = await fetch(`${app.baseUrl}/console/`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-type')).toMatch(/^text\/html/);
    expect(shell.headers.get('cache-control')).toBe('no-cache');
    expect(shell.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await shell.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${app.baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // The build stamp is not served.
    expect((await fetch(`${app.baseUrl}/console/.inputs.sha256`)).status).not.toBe(200);
  });

  it('signs in with an API token, refusing a wrong one next to the field', async () => {
    await page.goto(consoleUrl());
    await page.getByRole('heading', { name: 'Sign in to meshplane' }).waitFor();
    await page.getByLabel('API token').fill('mpt_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#token-error').waitFor();
    expect(await page.getByLabel('API token').getAttribute('aria-invalid')).toBe('true');
    await shot('sign-in');
    await page.getByLabel('API token').fill(alice.apiToken.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Meshes').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('meshplane.token')")).toBe(alice.apiToken.token);
  });

  /** Opens the kind's list in the Resources tab, its create form, fills it with `fill` and submits. */
  const create = async (plural: string, label: string, fill: () => Promise<void>) => {
    await page.getByRole('link', { name: 'Resources', exact: true }).click();
    await page
      .getByRole('navigation', { name: 'Resource kinds' })
      .getByRole('link', { name: plural, exact: true })
      .click();
    await page.getByRole('link', { name: `Create ${label}` }).click();
    await fill();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
  };
  const created = (text: string) => page.getByRole('heading', { level: 2, name: text }).waitFor();
  /** The error shown for a control: the one of its descriptions (hint, error) that is its error. */
  const errorText = async (control: Locator) => {
    const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ');
    return page.locator(`[id="${ids.find((id) => id.endsWith('-error')) ?? ''}"]`).textContent();
  };
  /** The port of a virtual node's first listener, in the form generated from the model. */
  const listenerPort = () =>
    page.getByRole('group', { name: 'Listener 1', exact: true }).getByLabel('Port', { exact: true });

  it('creates a mesh with nodes, a router, a route and a service through the forms', async () => {
    await page.getByRole('button', { name: 'Create mesh' }).click();
    await page.getByLabel('Name', { exact: true }).fill('shop');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await heading('Mesh shop').waitFor();

    for (const version of ['v1', 'v2']) {
      await create('Virtual nodes', 'virtual node', async () => {
        await page.getByLabel('Name', { exact: true }).fill(`api-${version}`);
        await page.getByLabel('Hostname', { exact: true }).fill(`${version}.api.shop.local`);
      });
      await created(`Virtual node api-${version}`);
    }
    await create('Virtual routers', 'virtual router', async () => {
      await page.getByLabel('Name', { exact: true }).fill('api-router');
    });
    await created('Virtual router api-router');
    await create('Routes', 'route', async () => {
      await page.getByLabel('Virtual router').selectOption('api-router');
      await page.getByLabel('Name', { exact: true }).fill('main');
      const target = (n: number) => page.getByRole('group', { name: `Weighted target ${n}`, exact: true });
      await target(1).getByLabel('Virtual node', { exact: true }).fill('api-v1');
      await target(1).getByLabel('Weight', { exact: true }).fill('90');
      await page.getByRole('button', { name: 'Add weighted target' }).click();
      await target(2).getByLabel('Virtual node', { exact: true }).fill('api-v2');
      await target(2).getByLabel('Weight', { exact: true }).fill('10');
    });
    await created('Route api-router/main');
    await create('Virtual services', 'virtual service', async () => {
      await page.getByLabel('Name', { exact: true }).fill('api.shop.local');
      await page.getByLabel('Provider: kind').selectOption('virtualRouter');
      await page.getByLabel('Virtual router name').fill('api-router');
    });
    await created('Virtual service api.shop.local');
    await create('Virtual nodes', 'virtual node', async () => {
      await page.getByLabel('Name', { exact: true }).fill('web');
      await page.getByLabel('Hostname', { exact: true }).fill('web.shop.local');
      await page.getByRole('button', { name: 'Add backend', exact: true }).click();
      await page
        .getByRole('group', { name: 'Backend 1', exact: true })
        .getByLabel('Virtual service name')
        .fill('api.shop.local');
    });
    await created('Virtual node web');
    await create('Virtual gateways', 'virtual gateway', async () => {
      await page.getByLabel('Name', { exact: true }).fill('edge');
    });
    await created('Virtual gateway edge');
    await create('Gateway routes', 'gateway route', async () => {
      await page.getByLabel('Virtual gateway').selectOption('edge');
      await page.getByLabel('Name', { exact: true }).fill('to-api');
      await page.getByLabel('Virtual service name').fill('api.shop.local');
    });
    await created('Gateway route edge/to-api');

    // What the forms wrote is what the API stores.
    const stored = await gql(
      alice,
      `{ mesh(name: "shop") { virtualRouters { nodes { routes { nodes { name spec: specJson } } } } } }`,
    );
    expect(stored.body.data.mesh.virtualRouters.nodes[0].routes.nodes[0]).toEqual({
      name: 'main',
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: {
            weightedTargets: [
              { virtualNode: 'api-v1', weight: 90 },
              { virtualNode: 'api-v2', weight: 10 },
            ],
          },
        },
      },
    });
  });

  it("shows the API's validation error next to the field it names, checked in the browser first", async () => {
    // The form runs the API's own validator before sending: a refused spec makes no request.
    const mutations: string[] = [];
    const record = (r: Request) => {
      if (r.method() === 'POST' && r.url().endsWith('/graphql') && /createVirtualNode/.test(r.postData() ?? '')) {
        mutations.push(r.postData() ?? '');
      }
    };
    page.on('request', record);
    await create('Virtual nodes', 'virtual node', async () => {
      await page.getByLabel('Name', { exact: true }).fill('bad');
      await listenerPort().fill('70000');
      await page.getByLabel('Hostname', { exact: true }).fill('bad.shop.local');
    });
    const port = listenerPort();
    await expect.poll(() => port.getAttribute('aria-invalid'), WAIT).toBe('true');
    const shown = await errorText(port);
    // The same words as the API's own message for that field.
    const direct = await gql(alice, `mutation($i: CreateVirtualNodeInput!) { createVirtualNode(input: $i) { name } }`, {
      i: {
        meshName: 'shop',
        virtualNodeName: 'bad',
        spec: {
          listeners: [{ portMapping: { port: 70000, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: 'bad.shop.local' } },
        },
      },
    });
    expect(direct.body.errors[0].extensions.fields).toEqual(['spec.listeners[0].portMapping.port']);
    expect(direct.body.errors[0].message).toBe(`spec.listeners[0].portMapping.port: ${shown}`);
    // Nothing else is flagged.
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(1);
    // Every control of the form has an accessible name (its label).
    const unnamed = await page.locator('form input, form select, form textarea').evaluateAll(
      (els) =>
        els.filter((e) => {
          const labels = (e as unknown as { labels: ArrayLike<unknown> | null }).labels;
          return !labels?.length && !e.getAttribute('aria-label');
        }).length,
    );
    expect(unnamed).toBe(0);
    await shot('validation-error');
    page.off('request', record);
    expect(mutations).toEqual([]);

    // Corrected, it is created; then deleted from its page.
    await port.fill('8080');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await created('Virtual node bad');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { level: 2, name: 'Virtual nodes' }).waitFor();
    await page.getByRole('link', { name: 'web', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'bad', exact: true }).count()).toBe(0);
    const left = await gql(alice, `{ mesh(name: "shop") { virtualNodes { nodes { name } } } }`);
    expect(left.body.data.mesh.virtualNodes.nodes.map((n: Json) => n.name)).toEqual(['api-v1', 'api-v2', 'web']);
  });

  it('draws the topology with dagre and opens a node from the keyboard', async () => {
    await page.getByRole('link', { name: 'Topology', exact: true }).click();
    const graph = page.getByRole('group', { name: 'Mesh topology' });
    await graph.waitFor();
    const ids = await graph.locator('a.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
    expect(ids).toEqual([
      'gatewayRoute/edge/to-api',
      'route/api-router/main',
      'virtualGateway/edge',
      'virtualNode/api-v1',
      'virtualNode/api-v2',
      'virtualNode/web',
      'virtualRouter/api-router',
      'virtualService/api.shop.local',
    ]);
    const edges = await graph
      .locator('g.edge')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')} -> ${e.getAttribute('data-to')}`).sort());
    expect(edges).toEqual([
      'gatewayRoute/edge/to-api -> virtualService/api.shop.local',
      'route/api-router/main -> virtualNode/api-v1',
      'route/api-router/main -> virtualNode/api-v2',
      'virtualGateway/edge -> gatewayRoute/edge/to-api',
      'virtualNode/web -> virtualService/api.shop.local',
      'virtualRouter/api-router -> route/api-router/main',
      'virtualService/api.shop.local -> virtualRouter/api-router',
    ]);
    expect((await graph.locator('.edge-weight').allTextContents()).sort()).toEqual(['10', '90']);
    // Laid out left to right as traffic flows: service before router before route before nodes.
    const x = async (id: string) => (await graph.locator(`a.node[data-id="${id}"] rect`).boundingBox())!.x;
    expect(await x('virtualGateway/edge')).toBeLessThan(await x('gatewayRoute/edge/to-api'));
    expect(await x('gatewayRoute/edge/to-api')).toBeLessThan(await x('virtualService/api.shop.local'));
    expect(await x('virtualService/api.shop.local')).toBeLessThan(await x('virtualRouter/api-router'));
    expect(await x('virtualRouter/api-router')).toBeLessThan(await x('route/api-router/main'));
    expect(await x('route/api-router/main')).toBeLessThan(await x('virtualNode/api-v1'));
    // Opened from the keyboard: a node is a link, focusable, and Enter follows it.
    await graph.locator('a.node[data-id="virtualNode/api-v1"]').focus();
    await page.keyboard.press('Enter');
    await created('Virtual node api-v1');
    expect(new URL(page.url()).hash).toBe('#/meshes/shop/resources/virtualNode/api-v1');
  });

  it('downloads a bootstrap that connects a real Envoy, which the proxies list then shows', async () => {
    const [adminPort, ingressPort, egressPort] = await freePorts(3);
    await page.getByRole('link', { name: 'Onboarding', exact: true }).click();
    await page.getByLabel('Runs as').selectOption('virtualNode/web');
    await page.getByLabel('xDS host (optional)').fill('127.0.0.1');
    await page.getByLabel('xDS port (optional)').fill(String(app.app.get(XdsGrpcServer).port));
    await page.getByLabel('Envoy admin port (optional)').fill(String(adminPort));
    await page.getByLabel('Inbound capture port (optional)').fill(String(ingressPort));
    await page.getByLabel('Outbound capture port (optional)').fill(String(egressPort));
    await page.getByRole('button', { name: 'Issue bootstrap' }).click();
    const link = page.getByRole('link', { name: 'Download envoy-web.yaml' });
    await link.waitFor();
    await shot('onboarding');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('envoy-web.yaml');
    const bootstrap = parse(await readFile((await download.path())!, 'utf8')) as Json;
    expect(bootstrap['node'].id).toBe(
      `arn:aws:appmesh:${app.config.region}:${alice.accountId}:mesh/shop/virtualNode/web`,
    );
    envoy = await startEnvoy(bootstrap);

    // The proxyless gRPC flavour: JSON that names the same node, with the gRPC commands.
    await page.getByLabel('Proxyless gRPC (JSON)').check();
    await page.getByRole('button', { name: 'Issue bootstrap' }).click();
    const grpcLink = page.getByRole('link', { name: 'Download xds-bootstrap-web.json' });
    await grpcLink.waitFor();
    const [grpcDownload] = await Promise.all([page.waitForEvent('download'), grpcLink.click()]);
    const grpcBootstrap = JSON.parse(await readFile((await grpcDownload.path())!, 'utf8')) as Json;
    expect(grpcBootstrap['node'].id).toBe(bootstrap['node'].id);
    expect(grpcBootstrap['xds_servers'][0].server_uri).toBe(`127.0.0.1:${app.app.get(XdsGrpcServer).port}`);
    expect(await page.locator('pre.command').first().textContent()).toContain('GRPC_XDS_BOOTSTRAP=');

    await page.getByRole('link', { name: 'Proxies', exact: true }).click();
    await eventually('the Envoy in the proxies list', 20_000, async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      const rows = await page.locator('table tbody tr').allTextContents();
      return rows.some((r) => r.includes('web') && r.includes('in sync')) ? true : undefined;
    });
    const row = (await page.locator('table tbody tr').allTextContents())[0]!;
    expect(row).toContain('virtualNode');
    expect(row).toMatch(/envoy/i);
  });

  /** The weights of the weighted_clusters Envoy holds now (GET /config_dump). */
  const envoyWeights = async (): Promise<number[][]> => {
    const found: number[][] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Json;
        if (o['weighted_clusters']) found.push(o['weighted_clusters'].clusters.map((c: Json) => c.weight));
        else Object.values(o).forEach(walk);
      }
    };
    walk(await envoy!.configDump());
    return found;
  };

  it('shifts traffic with the slider and shows the change reaching the connected Envoy', async () => {
    expect(await envoyWeights()).toContainEqual([90, 10]);
    await page.getByRole('link', { name: 'Resources', exact: true }).click();
    await page
      .getByRole('navigation', { name: 'Resource kinds' })
      .getByRole('link', { name: 'Routes', exact: true })
      .click();
    await page.getByRole('link', { name: 'main' }).click();
    await created('Route api-router/main');
    // Keyboard, as a slider is used without a mouse: End (100), then down to 50.
    const v1 = page.getByLabel('Weight of api-v1');
    await v1.focus();
    await page.keyboard.press('End');
    for (let i = 0; i < 50; i++) await page.keyboard.press('ArrowLeft');
    await page.getByLabel('Weight of api-v2').fill('50');
    await page.getByRole('button', { name: 'Apply weights' }).click();
    const status = page.locator('.propagation[role="status"]');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/1 of 1 proxies have it/);
    expect(await status.textContent()).toMatch(/last ACK [\d.]+ s after applying/);
    await shot('traffic-shift');
    // Envoy itself holds the new split.
    expect(await envoyWeights()).toContainEqual([50, 50]);
    expect(await envoyWeights()).not.toContainEqual([90, 10]);

    // The graph counts the connected proxy on its node, and the new weights on the edges.
    await page.getByRole('link', { name: 'Topology', exact: true }).click();
    const web = page.locator('a.node[data-id="virtualNode/web"]');
    await expect.poll(() => web.getAttribute('aria-label'), WAIT).toBe('node web, 1 proxy');
    expect(await page.locator('.edge-weight').allTextContents()).toEqual(['50', '50']);
    // The mesh badge settles on in sync once the proxy ACKed everything compiled since.
    await expect.poll(() => page.locator('.badge').textContent(), WAIT).toBe('In sync · 1 of 1 proxies up to date');
    await shot('topology');
  });

  it("edits a spec as JSON; Envoy's NACK shows on the graph and, with its text, in the proxies list", async () => {
    await page.getByRole('link', { name: 'Resources', exact: true }).click();
    await page.getByRole('navigation', { name: 'Resource kinds' }).getByRole('link', { name: 'Virtual nodes' }).click();
    await page.getByRole('link', { name: 'web', exact: true }).click();
    await created('Virtual node web');
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'JSON' }).click();
    const editor = page.getByLabel('Spec (JSON)');
    const spec = JSON.parse(await editor.inputValue()) as Json;
    expect(spec['backends']).toEqual([{ virtualService: { virtualServiceName: 'api.shop.local' } }]);
    // A certificate file that does not exist: valid for the API, refused by Envoy when it loads the listener.
    spec['listeners'][0].tls = {
      mode: 'STRICT',
      certificate: { file: { certificateChain: '/nonexistent/cert.pem', privateKey: '/nonexistent/key.pem' } },
    };
    await editor.fill(JSON.stringify(spec, null, 2));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Edit' }).waitFor();

    await page.getByRole('link', { name: 'Topology', exact: true }).click();
    const web = page.locator('a.node[data-id="virtualNode/web"]');
    await eventually('the NACK marker on node web', 15_000, async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await web.getAttribute('aria-label'))?.includes('1 NACKed') ? true : undefined;
    });
    expect(await web.locator('.marker-nack').textContent()).toBe('NACK');

    await page.getByRole('link', { name: 'Proxies', exact: true }).click();
    const row = page.locator('table tbody tr').first();
    await row.locator('details summary').click();
    expect(await row.locator('pre.nack').textContent()).toMatch(/\/nonexistent\//);
    expect(await row.textContent()).toContain('out of sync');
    await shot('proxies');
  });

  it("revokes the bootstrap's proxy token from the node's page, which disconnects the Envoy", async () => {
    await page.getByRole('link', { name: 'Resources', exact: true }).click();
    await page.getByRole('navigation', { name: 'Resource kinds' }).getByRole('link', { name: 'Virtual nodes' }).click();
    await page.getByRole('link', { name: 'web', exact: true }).click();
    await created('Virtual node web');
    const rows = page.getByRole('table', { name: 'Proxy tokens' }).locator('tbody tr');
    // One per bootstrap issued: the Envoy's and the gRPC one's.
    await expect.poll(() => rows.count(), WAIT).toBe(2);
    for (const left of [1, 0]) {
      await page
        .getByRole('button', { name: /^Revoke proxy token / })
        .first()
        .click();
      await expect.poll(() => rows.count(), WAIT).toBe(left);
    }
    await page.getByText('No proxy token: issue a bootstrap from the Onboarding tab.').waitFor();
    await eventually('the Envoy disconnected', 15_000, async () => {
      const res = await gql(alice, `{ mesh(name: "shop") { proxies { name } } }`);
      return res.body.data.mesh.proxies.length === 0 ? true : undefined;
    });
  });

  it('shows an API token once on the account page, and revokes it', async () => {
    await page.getByRole('link', { name: 'Account' }).click();
    await heading('Account').waitFor();
    await page.getByLabel('Token name').fill('ci');
    await page.getByRole('button', { name: 'Create API token' }).click();
    const secret = page.locator('.secret dd');
    await secret.waitFor();
    const token = (await secret.textContent())!;
    expect(token).toMatch(/^mpt_/);
    const account = await call(
      app.baseUrl,
      'POST',
      '/graphql',
      { authorization: `Bearer ${token}` },
      {
        query: '{ account { accountId } }',
      },
    );
    expect(account.body.data.account.accountId).toBe(alice.accountId);
    await shot('account');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.locator('.secret').count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke API token ci' }).click();
    await expect
      .poll(
        async () =>
          (
            await call(
              app.baseUrl,
              'POST',
              '/graphql',
              { authorization: `Bearer ${token}` },
              { query: '{ account { accountId } }' },
            )
          ).status,
        WAIT,
      )
      .toBe(401);
  });

  it('signs out: the token leaves sessionStorage and the console asks to sign in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to meshplane' }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('meshplane.token')")).toBeNull();
    await page.goto(consoleUrl('meshes/shop/topology'));
    await page.getByRole('heading', { name: 'Sign in to meshplane' }).waitFor();
  });

  it("never shows tenant B tenant A's data, even for a mesh of the same name", async () => {
    await gql(bob, `mutation { createMesh(input: { meshName: "shop" }) { name } }`);
    const session = await newSession(browser);
    const answers: string[] = [];
    session.page.on('response', (r) => {
      if (r.url().endsWith('/graphql')) void r.text().then((t) => answers.push(t));
    });
    const bobPage = session.page;
    await bobPage.goto(consoleUrl());
    await bobPage.getByLabel('API token').fill(bob.apiToken.token);
    await bobPage.getByRole('button', { name: 'Sign in' }).click();
    await bobPage.getByRole('heading', { level: 1, name: 'Meshes' }).waitFor();
    await bobPage.getByRole('link', { name: 'shop' }).click();
    await bobPage.getByText('This mesh has no resources yet.').waitFor();
    await bobPage.goto(consoleUrl('meshes/shop/resources/route/api-router/main'));
    await bobPage.getByText('No route named main in this mesh.').waitFor();
    await bobPage.goto(consoleUrl('meshes/shop/proxies'));
    await bobPage.getByText('No proxy is connected to this mesh.').waitFor();
    const seen = (await bobPage.content()) + answers.join('\n');
    for (const secret of [alice.accountId, 'api-v1', 'api-router', 'web.shop.local'])
      expect(seen).not.toContain(secret);
    expect(answers.length).toBeGreaterThan(0);
    await session.context.close();
  });

  it("lists tenants and plans in the operator's view (admin token)", async () => {
    const session = await newSession(browser);
    const adminPage = session.page;
    await adminPage.goto(consoleUrl('admin'));
    await adminPage.getByLabel('Admin token').fill(app.config.adminToken);
    await adminPage.getByRole('button', { name: 'Sign in' }).click();
    await adminPage.getByRole('heading', { level: 1, name: 'Operator' }).waitFor();
    await adminPage.getByRole('columnheader', { name: 'standard (default)' }).waitFor();
    // The test database holds every test file's tenants: page until Bob's row is there.
    const bobRow = adminPage.getByRole('row').filter({ hasText: bob.accountId });
    await eventually("Bob's row", 15_000, async () => {
      if ((await bobRow.count()) === 1) return true;
      const more = adminPage.getByRole('button', { name: 'Show more tenants' });
      if (await more.isVisible()) await more.click();
      return undefined;
    });
    const bobAccount = () =>
      call(
        app.baseUrl,
        'POST',
        '/graphql',
        { authorization: `Bearer ${bob.apiToken.token}` },
        { query: '{ account { status } }' },
      );
    await bobRow.getByRole('button', { name: `Suspend ${bob.name}` }).click();
    await bobRow.getByRole('button', { name: `Resume ${bob.name}` }).waitFor();
    expect((await bobAccount()).status).toBe(403);
    await bobRow.getByRole('button', { name: `Resume ${bob.name}` }).click();
    await bobRow.getByRole('button', { name: `Suspend ${bob.name}` }).waitFor();
    expect((await bobAccount()).body.data.account.status).toBe('active');
    if (SHOTS) await adminPage.screenshot({ path: join(SHOTS, 'admin.png'), fullPage: true });
    await session.context.close();
  });

  it('signs in again at the page that was asked for, and lists the meshes', async () => {
    await page.getByLabel('API token').fill(alice.apiToken.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Mesh shop').waitFor();
    await page.goto(consoleUrl('meshes'));
    await page.getByRole('link', { name: 'shop' }).waitFor();
    await shot('meshes');
  });

  it('creates a node with a listener health check only the generated form reaches; the JSON view agrees', async () => {
    await page.goto(consoleUrl('meshes/shop/resources/virtualNode/new'));
    const listener = page.getByRole('group', { name: 'Listener 1', exact: true });
    const healthCheck = listener.getByRole('group', { name: 'Health check', exact: true });
    const field = (scope: Page | Locator, label: string) => scope.getByLabel(label, { exact: true });
    await field(page, 'Name').fill('checked');
    await field(page, 'Hostname').fill('checked.shop.local');
    await listener.getByRole('button', { name: 'Add health check' }).click();
    // The model's enum is a select, its bounds are the number control's, its rule the hint.
    await field(healthCheck, 'Protocol').selectOption('http');
    expect(await field(healthCheck, 'Interval millis').getAttribute('min')).toBe('5000');
    const threshold = field(healthCheck, 'Healthy threshold');
    expect(await threshold.getAttribute('aria-required')).toBe('true');
    await threshold.fill('1');
    await field(healthCheck, 'Unhealthy threshold').fill('2');
    await field(healthCheck, 'Interval millis').fill('5000');
    await field(healthCheck, 'Timeout millis').fill('2000');
    await field(healthCheck, 'Path').fill('/healthz');
    await page.getByRole('button', { name: 'Create', exact: true }).click();

    // The constraint's message, next to its field, in the API's words.
    await expect.poll(() => threshold.getAttribute('aria-invalid'), WAIT).toBe('true');
    const shown = await errorText(threshold);
    expect(shown).toContain('must be between 2 and 10');
    const spec = {
      listeners: [
        {
          portMapping: { port: 8080, protocol: 'http' },
          healthCheck: {
            protocol: 'http',
            healthyThreshold: 1,
            unhealthyThreshold: 2,
            intervalMillis: 5000,
            timeoutMillis: 2000,
            path: '/healthz',
          },
        },
      ],
      serviceDiscovery: { dns: { hostname: 'checked.shop.local' } },
    };
    const direct = await gql(alice, `mutation($i: CreateVirtualNodeInput!) { createVirtualNode(input: $i) { name } }`, {
      i: { meshName: 'shop', virtualNodeName: 'checked', spec },
    });
    expect(direct.body.errors[0].extensions.fields).toEqual(['spec.listeners[0].healthCheck.healthyThreshold']);
    expect(direct.body.errors[0].message).toMatch(/must be between 2 and 10/);
    expect(shown).toBe(direct.body.errors[0].message.replace(/^[^:]+: /, ''));
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(1);
    await shot('generated-form');

    await threshold.fill('3');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await created('Virtual node checked');
    const read = async () => (await gql(alice, CHECKED_SPEC)).body.data.mesh.virtualNodes.nodes[0].spec as Json;
    expect((await read())['listeners'][0].healthCheck).toEqual({
      ...spec.listeners[0]!.healthCheck,
      healthyThreshold: 3,
    });

    // Edited in the form, the JSON view shows the change; edited as JSON, the form shows it.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await field(healthCheck, 'Path').fill('/ready');
    await page.getByRole('button', { name: 'JSON' }).click();
    const editor = page.getByLabel('Spec (JSON)');
    const asJson = JSON.parse(await editor.inputValue()) as Json;
    expect(asJson['listeners'][0].healthCheck.path).toBe('/ready');
    expect(asJson['serviceDiscovery']).toEqual({ dns: { hostname: 'checked.shop.local' } });
    asJson['listeners'][0].healthCheck.intervalMillis = 6000;
    await editor.fill(JSON.stringify(asJson, null, 2));
    await page.getByRole('button', { name: 'Form' }).click();
    expect(await field(healthCheck, 'Interval millis').inputValue()).toBe('6000');
    expect(await field(healthCheck, 'Path').inputValue()).toBe('/ready');
    await page.getByRole('button', { name: 'Save' }).click();
    // Closed after saving (while open, the button reads "Close editor").
    await page.getByRole('button', { name: 'Edit', exact: true }).waitFor();
    const saved = (await read())['listeners'][0].healthCheck as Json;
    expect(saved).toMatchObject({ path: '/ready', intervalMillis: 6000, healthyThreshold: 3 });
  });

  it('places a rule only the API checks (an access log format Envoy would refuse) next to its field', async () => {
    await page.goto(consoleUrl('meshes/shop/resources/virtualNode/checked'));
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByRole('button', { name: 'Add logging' }).click();
    const logging = page.getByRole('group', { name: 'Logging', exact: true });
    // A union is a choice of its members (here only a file).
    await logging.getByLabel('Access log: kind').selectOption('file');
    await logging.getByLabel('Path', { exact: true }).fill('/dev/stdout');
    await logging.getByLabel('Format: kind').selectOption('text');
    const text = logging.getByLabel('Text', { exact: true });
    await text.fill('%NOT_AN_OPERATOR%');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => text.getAttribute('aria-invalid'), WAIT).toBe('true');
    const shown = await errorText(text);
    expect(shown).toMatch(/NOT_AN_OPERATOR/);
    await text.fill('[%START_TIME%] %REQ(:METHOD)%');
    await page.getByRole('button', { name: 'Save' }).click();
    // Closed after saving (while open, the button reads "Close editor").
    await page.getByRole('button', { name: 'Edit', exact: true }).waitFor();
    const read = await gql(alice, CHECKED_SPEC);
    expect(read.body.data.mesh.virtualNodes.nodes[0].spec.logging).toEqual({
      accessLog: { file: { path: '/dev/stdout', format: { text: '[%START_TIME%] %REQ(:METHOD)%' } } },
    });
  });
});
