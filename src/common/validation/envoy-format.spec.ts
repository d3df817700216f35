import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEnvoyConfig } from '../../../test/support/envoy.js';
import { buildSnapshot } from '../../../test/support/snapshot-builder.js';
import { encodeMessage } from '../../xds-fleet/encoding/protos.js';
import { staticBootstrap } from '../../xds-fleet/translator/static-config.js';
import { translate } from '../../xds-fleet/translator/translate.js';
import { ACCESS_LOG_OPERATORS, envoyFormatProblem } from './envoy-format.js';

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

describe('Envoy access log formats', () => {
  it('refuses what Envoy refuses, naming the position and the rule', () => {
    const rule = 'must be an Envoy access log format: ';
    expect(envoyFormatProblem('100% ok')).toBe(
      `${rule}the % at position 3 starts no command operator (%NAME%, %NAME(argument)% or %NAME(argument):length%, or %% for a literal %)`,
    );
    expect(envoyFormatProblem('%NOT_A_COMMAND%')).toBe(
      `${rule}%NOT_A_COMMAND% at position 0 is not a command operator Envoy supports`,
    );
    expect(envoyFormatProblem('x %REQ%')).toBe(
      `${rule}%REQ% at position 2 needs an argument (a header name, or two separated by ?)`,
    );
    expect(envoyFormatProblem('%REQ(a b)%')).toBe(
      `${rule}%REQ(a b)% at position 0 needs a header name, or two separated by ? as its argument`,
    );
    expect(envoyFormatProblem('%RESPONSE_CODE:5%')).toBe(
      `${rule}%RESPONSE_CODE:5% at position 0 takes no argument or length`,
    );
    expect(envoyFormatProblem('%START_TIME:10%')).toBe(`${rule}%START_TIME:10% at position 0 takes no length`);
    expect(envoyFormatProblem('%response_code%')).toMatch(/position 0 starts no command operator/);
    expect(envoyFormatProblem('%CEL(request.path)%')).toMatch(/is not a command operator Envoy supports/);
    expect(envoyFormatProblem('%%%')).toMatch(/position 2 starts no command operator/);
    expect(envoyFormatProblem('%START_TIME(%s.%3f)% 100%% %REQ(:path):20%\n')).toBeUndefined();
  });

  it('offers only what a real Envoy loads: every operator in every accepted form, in text and JSON', async () => {
    const forms = everyAcceptedForm();
    for (const form of forms) expect(envoyFormatProblem(form), form).toBeUndefined();
    const verdicts = await Promise.all([
      envoyLoads({ text: forms.join(' ') }),
      envoyLoads({ json: forms.map((value, i) => ({ key: `k${i}`, value })) }),
    ]);
    for (const verdict of verdicts) expect(verdict.ok, verdict.output).toBe(true);
  });

  it('never accepts a generated format that Envoy refuses (and refuses those with unknown operators)', async () => {
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
    // And a sample of the refused ones is refused by Envoy as well (the rule is not needlessly strict there).
    const unknown = refused.filter((f) => /%(BOGUS|req|REQ_|CEL|METADATA)[%(:]/.test(f)).slice(0, 3);
    for (const format of unknown) expect((await envoyLoads({ text: format })).ok, format).toBe(false);
  });
});
