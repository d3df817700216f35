import {
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  DescribeMeshCommand,
  DescribeVirtualNodeCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { appMeshClient, createTenant, uniqueName } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

type Json = Record<string, any>;

/** Tags (output, mutations, filters) and optimistic concurrency over GraphQL, real HTTP, PostgreSQL and Redis. */
describe('GraphQL tags, filters and versions', () => {
  let api: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let client: AppMeshClient;
  const mesh = uniqueName('gtv');

  const gql = async (tenant: CreatedTenant, query: string, variables?: Json) =>
    (
      await call(
        api.baseUrl,
        'POST',
        '/graphql',
        { authorization: `Bearer ${tenant.apiToken.token}` },
        { query, variables },
      )
    ).body;

  const nodeSpec = (host: string) => ({
    listeners: [{ portMapping: { port: 8080, protocol: 'http' as const } }],
    serviceDiscovery: { dns: { hostname: host } },
  });
  const arnOf = async (virtualNodeName: string) =>
    (await client.send(new DescribeVirtualNodeCommand({ meshName: mesh, virtualNodeName }))).virtualNode!.metadata!
      .arn!;

  beforeAll(async () => {
    api = await startTestApp();
    [alice, bob] = await Promise.all([createTenant(api), createTenant(api)]);
    client = appMeshClient(api, alice.accessKey);
    await client.send(new CreateMeshCommand({ meshName: mesh, tags: [{ key: 'env', value: 'prod' }] }));
    // Names with LIKE's wildcards, and tags set through REST and through GraphQL.
    const nodes: [name: string, tags: { key: string; value: string }[]][] = [
      ['a_1', [{ key: 'team', value: 'red' }]],
      ['a_2', [{ key: 'team', value: 'blue' }]],
      [
        'a_3',
        [
          { key: 'team', value: 'red' },
          { key: 'tier', value: '' },
        ],
      ],
      ['a%4', [{ key: 'team', value: 'red' }]],
      ['ab5', [{ key: 'team', value: 'red' }]],
      ['b_6', [{ key: 'team', value: 'red' }]],
      ['c\\7', []],
    ];
    for (const [i, [name, tags]] of nodes.entries()) {
      if (i % 2 === 0) {
        await client.send(
          new CreateVirtualNodeCommand({ meshName: mesh, virtualNodeName: name, spec: nodeSpec(`n${i}.local`), tags }),
        );
      } else {
        const res = await gql(
          alice,
          `mutation($i: CreateVirtualNodeInput!) { createVirtualNode(input: $i) { name } }`,
          { i: { meshName: mesh, virtualNodeName: name, spec: nodeSpec(`n${i}.local`), tags } },
        );
        expect(res.errors).toBeUndefined();
      }
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('tags', () => {
    it('shows every resource its tags, as ListTagsForResource does', async () => {
      const res = await gql(
        alice,
        `query($m: String!) { mesh(name: $m) { tags { key value } virtualNodes { nodes { name arn tags { key value } } } } }`,
        {
          m: mesh,
        },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.mesh.tags).toEqual([{ key: 'env', value: 'prod' }]);
      for (const node of res.data.mesh.virtualNodes.nodes as Json[]) {
        const listed = await client.send(new ListTagsForResourceCommand({ resourceArn: node.arn }));
        expect(node.tags, node.name).toEqual(listed.tags);
      }
    });

    it('tags and untags through the same service as REST, answering the tags after', async () => {
      const arn = await arnOf('c\\7');
      const tagged = await gql(alice, `mutation($i: TagResourceInput!) { tagResource(input: $i) { key value } }`, {
        i: {
          resourceArn: arn,
          tags: [
            { key: 'owner', value: 'ops' },
            { key: 'cost', value: '42' },
          ],
        },
      });
      expect(tagged).toEqual({
        data: {
          tagResource: [
            { key: 'owner', value: 'ops' },
            { key: 'cost', value: '42' },
          ],
        },
      });
      // Overwrites by key, as TagResource does; REST sees what GraphQL wrote and the reverse.
      await client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'cost', value: '7' }] }));
      const untagged = await gql(
        alice,
        `mutation($i: UntagResourceInput!) { untagResource(input: $i) { key value } }`,
        { i: { resourceArn: arn, tagKeys: ['owner', 'absent'] } },
      );
      expect(untagged).toEqual({ data: { untagResource: [{ key: 'cost', value: '7' }] } });
      expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
        { key: 'cost', value: '7' },
      ]);
      // Tags are not configuration: the version does not move.
      const described = await client.send(new DescribeVirtualNodeCommand({ meshName: mesh, virtualNodeName: 'c\\7' }));
      expect(described.virtualNode!.metadata!.version).toBe(1);
      // A mesh is tagged by its ARN too.
      const meshArn = (await client.send(new DescribeMeshCommand({ meshName: mesh }))).mesh!.metadata!.arn!;
      const meshTags = await gql(
        alice,
        `mutation($a: String!) { tagResource(input: { resourceArn: $a, tags: [{ key: "region", value: "eu" }] }) { key } }`,
        { a: meshArn },
      );
      expect(meshTags.data.tagResource.map((t: Json) => t.key)).toEqual(['env', 'region']);
    });

    it('refuses bad tags with the rule and field REST names, and the per-resource quota', async () => {
      const arn = await arnOf('c\\7');
      const tagMutation = `mutation($i: TagResourceInput!) { tagResource(input: $i) { key } }`;
      const long = await gql(alice, tagMutation, {
        i: { resourceArn: arn, tags: [{ key: 'k'.repeat(129), value: 'v' }] },
      });
      expect(long.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['tags[0].key'] });
      const twice = await gql(alice, tagMutation, {
        i: {
          resourceArn: arn,
          tags: [
            { key: 'dup', value: '1' },
            { key: 'dup', value: '2' },
          ],
        },
      });
      expect(twice.errors[0]).toMatchObject({ extensions: { code: 'VALIDATION', fields: ['tags[1].key'] } });
      // b_6 has one tag: 50 more would leave it with 51, over the plan's 50; none is applied.
      const full = await arnOf('b_6');
      const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
      const tooMany = await gql(alice, tagMutation, { i: { resourceArn: full, tags: many } });
      expect(tooMany.errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
      expect((await client.send(new ListTagsForResourceCommand({ resourceArn: full }))).tags).toEqual([
        { key: 'team', value: 'red' },
      ]);
      const notArn = await gql(alice, tagMutation, { i: { resourceArn: 'not-an-arn', tags: [] } });
      expect(notArn.errors[0].extensions.code).toBe('NOT_FOUND');
      const noKeys = await gql(
        alice,
        `mutation($a: String!) { untagResource(input: { resourceArn: $a, tagKeys: [""] }) { key } }`,
        { a: arn },
      );
      expect(noKeys.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['tagKeys[0]'] });
    });
  });

  describe('filters', () => {
    const page = `query($m: String!, $first: Int, $after: String, $prefix: String, $tag: TagFilter) {
      mesh(name: $m) { virtualNodes(first: $first, after: $after, namePrefix: $prefix, tag: $tag) {
        nodes { name } pageInfo { hasNextPage endCursor } } } }`;
    const names = (res: Json) => (res.data.mesh.virtualNodes.nodes as Json[]).map((n) => n.name);

    it('filters by a literal name prefix (LIKE wildcards and backslashes are text)', async () => {
      expect(names(await gql(alice, page, { m: mesh, prefix: 'a_' }))).toEqual(['a_1', 'a_2', 'a_3']);
      expect(names(await gql(alice, page, { m: mesh, prefix: 'a%' }))).toEqual(['a%4']);
      expect(names(await gql(alice, page, { m: mesh, prefix: 'a' }))).toEqual(['a%4', 'a_1', 'a_2', 'a_3', 'ab5']);
      expect(names(await gql(alice, page, { m: mesh, prefix: 'c\\' }))).toEqual(['c\\7']);
      expect(names(await gql(alice, page, { m: mesh, prefix: '_' }))).toEqual([]);
    });

    it('filters by tag key, or key and value (an empty value is a value), with pagination', async () => {
      const red = { key: 'team', value: 'red' };
      const first = await gql(alice, page, { m: mesh, tag: red, first: 2 });
      expect(names(first)).toEqual(['a%4', 'a_1']);
      expect(first.data.mesh.virtualNodes.pageInfo.hasNextPage).toBe(true);
      const second = await gql(alice, page, {
        m: mesh,
        tag: red,
        first: 2,
        after: first.data.mesh.virtualNodes.pageInfo.endCursor,
      });
      expect(names(second)).toEqual(['a_3', 'ab5']);
      const third = await gql(alice, page, {
        m: mesh,
        tag: red,
        first: 2,
        after: second.data.mesh.virtualNodes.pageInfo.endCursor,
      });
      expect(names(third)).toEqual(['b_6']);
      expect(third.data.mesh.virtualNodes.pageInfo).toEqual({ hasNextPage: false, endCursor: null });

      expect(names(await gql(alice, page, { m: mesh, tag: { key: 'team' } }))).toEqual([
        'a%4',
        'a_1',
        'a_2',
        'a_3',
        'ab5',
        'b_6',
      ]);
      expect(names(await gql(alice, page, { m: mesh, tag: { key: 'tier', value: '' } }))).toEqual(['a_3']);
      expect(names(await gql(alice, page, { m: mesh, tag: { key: 'team', value: 'red' }, prefix: 'a_' }))).toEqual([
        'a_1',
        'a_3',
      ]);
      // JSON containment, not text: a quote or a wildcard in a tag is just a character.
      expect(names(await gql(alice, page, { m: mesh, tag: { key: 'team', value: 're%' } }))).toEqual([]);
      expect(names(await gql(alice, page, { m: mesh, tag: { key: '"team"' } }))).toEqual([]);
    });

    it('filters meshes and nested connections alike, in one batched request', async () => {
      const res = await gql(
        alice,
        `query($m: String!) {
          meshes(tag: { key: "env", value: "prod" }) { nodes { name
            red: virtualNodes(tag: { key: "team", value: "red" }, first: 1) { nodes { name } }
            blue: virtualNodes(tag: { key: "team", value: "blue" }) { nodes { name } } } }
          none: meshes(tag: { key: "env", value: "dev" }) { nodes { name } }
          prefixed: meshes(namePrefix: $m) { nodes { name } }
        }`,
        { m: mesh },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.meshes.nodes).toEqual([
        { name: mesh, red: { nodes: [{ name: 'a%4' }] }, blue: { nodes: [{ name: 'a_2' }] } },
      ]);
      expect(res.data.none.nodes).toEqual([]);
      expect(res.data.prefixed.nodes).toContainEqual({ name: mesh });
    });

    it('refuses filters that break the rules of names and tags, naming the argument', async () => {
      const longKey = await gql(alice, page, { m: mesh, tag: { key: 'k'.repeat(129) } });
      expect(longKey.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['tag.key'] });
      const nul = await gql(alice, page, { m: mesh, tag: { key: 'team', value: 'a\u0000' } });
      expect(nul.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['tag.value'] });
      const longPrefix = await gql(alice, page, { m: mesh, prefix: 'p'.repeat(256) });
      expect(longPrefix.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['namePrefix'] });
    });
  });

  describe('optimistic concurrency (expectedVersion)', () => {
    const update = `mutation($i: UpdateVirtualNodeInput!) { updateVirtualNode(input: $i) { version specJson } }`;

    it('updates at the expected version, and refuses a stale one with CONFLICT, changing nothing', async () => {
      const name = 'versioned';
      await client.send(
        new CreateVirtualNodeCommand({ meshName: mesh, virtualNodeName: name, spec: nodeSpec('v1.local') }),
      );
      const ok = await gql(alice, update, {
        i: { meshName: mesh, virtualNodeName: name, spec: nodeSpec('v2.local'), expectedVersion: 1 },
      });
      expect(ok.data.updateVirtualNode.version).toBe(2);
      const stale = await gql(alice, update, {
        i: { meshName: mesh, virtualNodeName: name, spec: nodeSpec('v3.local'), expectedVersion: 1 },
      });
      expect(stale.errors[0]).toMatchObject({
        path: ['updateVirtualNode'],
        message: expect.stringContaining('is at version 2, not the expected version 1'),
        extensions: { code: 'CONFLICT' },
      });
      const described = (await client.send(new DescribeVirtualNodeCommand({ meshName: mesh, virtualNodeName: name })))
        .virtualNode!;
      expect(described.metadata!.version).toBe(2);
      expect(described.spec!.serviceDiscovery!.dns!.hostname).toBe('v2.local');

      const del = `mutation($v: Int) { deleteVirtualNode(input: { meshName: "${mesh}", virtualNodeName: "${name}", expectedVersion: $v }) { status } }`;
      expect((await gql(alice, del, { v: 1 })).errors[0].extensions.code).toBe('CONFLICT');
      expect((await gql(alice, del, { v: 0 })).errors[0].extensions).toEqual({
        code: 'VALIDATION',
        fields: ['expectedVersion'],
      });
      expect((await gql(alice, del, { v: 2 })).data.deleteVirtualNode).toEqual({ status: 'DELETED' });
    });

    it('lets exactly one of three racing updates at the same version win', async () => {
      const name = 'raced';
      await client.send(
        new CreateVirtualNodeCommand({ meshName: mesh, virtualNodeName: name, spec: nodeSpec('r0.local') }),
      );
      for (let round = 1; round <= 5; round++) {
        const results = await Promise.all(
          ['x', 'y', 'z'].map((who) =>
            gql(alice, update, {
              i: {
                meshName: mesh,
                virtualNodeName: name,
                spec: nodeSpec(`${who}${round}.local`),
                expectedVersion: round,
              },
            }),
          ),
        );
        const won = results.filter((r) => r.errors === undefined);
        const lost = results.filter((r) => r.errors !== undefined);
        expect(won).toHaveLength(1);
        expect(lost.map((r) => r.errors[0].extensions.code)).toEqual(['CONFLICT', 'CONFLICT']);
        const described = (await client.send(new DescribeVirtualNodeCommand({ meshName: mesh, virtualNodeName: name })))
          .virtualNode!;
        expect(described.metadata!.version).toBe(round + 1);
        expect(described.spec).toEqual(won[0].data.updateVirtualNode.specJson);
      }
    });

    it('guards mesh updates and deletes too', async () => {
      const meshName = `${mesh}-m`;
      await client.send(new CreateMeshCommand({ meshName }));
      const updateMesh = `mutation($v: Int) { updateMesh(input: { meshName: "${meshName}", spec: { egressFilter: { type: ALLOW_ALL } }, expectedVersion: $v }) { version } }`;
      expect((await gql(alice, updateMesh, { v: 2 })).errors[0].extensions.code).toBe('CONFLICT');
      expect((await gql(alice, updateMesh, { v: 1 })).data.updateMesh.version).toBe(2);
      const described = (await client.send(new DescribeMeshCommand({ meshName }))).mesh!;
      expect(described.metadata!.version).toBe(2);
      const deleteMesh = `mutation($v: Int) { deleteMesh(input: { meshName: "${meshName}", expectedVersion: $v }) { status } }`;
      expect((await gql(alice, deleteMesh, { v: 1 })).errors[0].extensions.code).toBe('CONFLICT');
      expect((await gql(alice, deleteMesh, { v: 2 })).data.deleteMesh).toEqual({ status: 'DELETED' });
    });
  });

  describe('tenants are walls', () => {
    it("never lets tenant B see, tag, update or delete tenant A's resources, by name, ARN or filter", async () => {
      const arn = await arnOf('a_1');
      const tag = await gql(
        bob,
        `mutation($a: String!) { tagResource(input: { resourceArn: $a, tags: [{ key: "x", value: "y" }] }) { key } }`,
        { a: arn },
      );
      expect(tag.errors[0]).toMatchObject({
        message: `Resource ${arn} does not exist in account ${bob.accountId}.`,
        extensions: { code: 'NOT_FOUND' },
      });
      // The same ARN with B's account id in it: still none of B's.
      const guessed = arn.replace(alice.accountId, bob.accountId);
      const untag = await gql(
        bob,
        `mutation($a: String!) { untagResource(input: { resourceArn: $a, tagKeys: ["team"] }) { key } }`,
        { a: guessed },
      );
      expect(untag.errors[0].extensions.code).toBe('NOT_FOUND');
      const update = await gql(
        bob,
        `mutation($i: UpdateVirtualNodeInput!) { updateVirtualNode(input: $i) { version } }`,
        {
          i: { meshName: mesh, virtualNodeName: 'a_1', spec: nodeSpec('evil.local'), expectedVersion: 1 },
        },
      );
      expect(update.errors[0].extensions.code).toBe('NOT_FOUND');
      const del = await gql(
        bob,
        `mutation { deleteVirtualNode(input: { meshName: "${mesh}", virtualNodeName: "a_1", expectedVersion: 1 }) { status } }`,
      );
      expect(del.errors[0].extensions.code).toBe('NOT_FOUND');
      const listed = await gql(
        bob,
        `{ meshes(tag: { key: "env", value: "prod" }) { nodes { name } } t: meshes(namePrefix: "${mesh}") { nodes { name } } }`,
      );
      expect(listed.data).toEqual({ meshes: { nodes: [] }, t: { nodes: [] } });
      // Nothing of A's changed.
      expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
        { key: 'team', value: 'red' },
      ]);
      const described = (await client.send(new DescribeVirtualNodeCommand({ meshName: mesh, virtualNodeName: 'a_1' })))
        .virtualNode!;
      expect(described.metadata!.version).toBe(1);
    });
  });
});
