import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEnvoyConfig } from '../../../test/support/envoy.js';
import { buildSnapshot } from '../../../test/support/snapshot-builder.js';
import { encodeMessage } from '../encoding/protos.js';
import { staticBootstrap } from './static-config.js';
import { translate } from './translate.js';
import { ACCESS_LOG_OPERATORS, envoyFormatProblem } from '../../common/validation/envoy-format.js';

/** Loads a node whose access log has `format` into a real Envoy 1.40 (validate mode), as production encodes it. */
async function envoyLoads(format: { text: string } | { json: { key: string; value: string }[] }) {
  const snapshot = buildSnapshot({
    mesh: { name: 'm' },
    virtualNodes: [
      {
        name: 'n',
        spec: {
          listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: 'n.local' } },
          logging: { accessLog: { file: { path: '/dev/stdout', format } } },
        },
      },
    ],
  });
  const set = translate(snapshot).views.get('virtualNode/n')!;
  return validateEnvoyConfig(
    encodeMessage('envoy.config.bootstrap.v3.Bootstrap', staticBootstrap(set, { adminPort: 19901, nodeId: 'n' })),
  );
}

const SAMPLE_ARGUMENT: Readonly<Record<string, string>> = {
  REQ: ':authority?x-forwarded-for',
  RESP: 'content-type',
  TRAILER: 'grpc-status',
  DYNAMIC_METADATA: 'envoy.lb:canary',
  CLUSTER_METADATA: 'a:b',
  UPSTREAM_METADATA: 'a',
  FILTER_STATE: 'k:PLAIN',
  UPSTREAM_FILTER_STATE: 'k',
  ENVIRONMENT: 'HOME',
  QUERY_PARAM: 'q',
};

/** Every operator in each form the checker accepts. */
function everyAcceptedForm(): string[] {
  const forms = ACCESS_LOG_OPERATORS.plain.map((name) => `%${name}%`);
  for (const { name, optional, length } of ACCESS_LOG_OPERATORS.withArgument) {
    const argument = SAMPLE_ARGUMENT[name] ?? '%Y-%m-%dT%H:%M:%S.%3fZ';
    forms.push(`%${name}(${argument})%`);
    if (optional) forms.push(`%${name}%`, `%${name}()%`);
    if (length) forms.push(`%${name}(${argument}):12%`);
  }
  return forms;
}

/** The API's access log format rule (common/validation/envoy-format.ts) against a real Envoy. */
describe('access log formats the API accepts, in a real Envoy', () => {
  it('offers only what a real Envoy loads: every operator in every accepted form, in text and JSON', async () => {
    const forms = everyAcceptedForm();
    for (const form of forms) expect(envoyFormatProblem(form), form).toBeUndefined();
    const verdicts = await Promise.all([
      envoyLoads({ text: forms.join(' ') }),
      envoyLoads({ json: forms.map((value, i) => ({ key: `k${i}`, value })) }),
    ]);
    for (const verdict of verdicts) expect(verdict.ok, verdict.output).toBe(true);
  });

  it('never accepts a generated format that Envoy refuses', async () => {
    // Formats built from the pieces Envoy's parser looks at: operators known and unknown, arguments
    // well- and ill-formed, lengths, stray and doubled %. Deterministic (fixed seed).
    const names = [...ACCESS_LOG_OPERATORS.plain.slice(0, 8), ...ACCESS_LOG_OPERATORS.withArgument.map((o) => o.name)];
    const piece = fc.oneof(
      fc.constantFrom('a', ' ', '%%', '%', '(', ')', ':', '?', '"', '\\', '{', 'é', '\t'),
      fc
        .tuple(
          fc.oneof(fc.constantFrom(...names), fc.constantFrom('BOGUS', 'req', 'REQ_', 'CEL', 'METADATA')),
          fc.option(
            fc.constantFrom('', 'x-a', ':path', 'a?b', 'a?b?c', 'a b', 'a:b', 'a:PLAIN', 'HOME', '%s', '((', '1'),
          ),
          fc.option(fc.constantFrom('0', '12', '99999', 'x')),
        )
        .map(
          ([name, argument, length]) =>
            `%${name}${argument === null ? '' : `(${argument})`}${length === null ? '' : `:${length}`}%`,
        ),
    );
    const formats = fc.sample(
      fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join('')),
      {
        seed: 12,
        numRuns: 400,
      },
    );
    const accepted = formats.filter((f) => envoyFormatProblem(f) === undefined);
    const refused = formats.filter((f) => envoyFormatProblem(f) !== undefined);
    // Both kinds occur, so the comparison means something.
    expect(accepted.length).toBeGreaterThan(40);
    expect(refused.length).toBeGreaterThan(40);
    // Accepted formats are self-delimiting token sequences: joined, they stay accepted; in batches,
    // and one by one for a failing batch, so a failure names the format.
    const batches: string[][] = [];
    for (let i = 0; i < accepted.length; i += 40) batches.push(accepted.slice(i, i + 40));
    const verdicts = await Promise.all(
      batches.map((b) => envoyLoads({ json: b.map((value, i) => ({ key: `k${i}`, value })) })),
    );
    for (const [i, verdict] of verdicts.entries()) {
      if (verdict.ok) continue;
      for (const format of batches[i]!) {
        const single = await envoyLoads({ text: format });
        expect(single.ok, `${JSON.stringify(format)} passed the API rule but Envoy refused it:\n${single.output}`).toBe(
          true,
        );
      }
    }
  });
});
