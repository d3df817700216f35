import { describe, expect, it } from 'vitest';
import { inSentence, itemLabelOf, labelOf, ruleHint } from './labels';

describe("the generated forms' labels", () => {
  it('spells member names as words, with the protocols and acronyms as they are written', () => {
    expect(labelOf('portMapping')).toBe('Port mapping');
    expect(labelOf('healthyThreshold')).toBe('Healthy threshold');
    expect(labelOf('http2Route')).toBe('HTTP/2 route');
    expect(labelOf('grpcRetryEvents')).toBe('gRPC retry events');
    expect(labelOf('dns')).toBe('DNS');
    expect(labelOf('awsCloudMap')).toBe('AWS cloud map');
    expect(labelOf('ipPreference')).toBe('IP preference');
  });

  it('names one item of a list', () => {
    expect(itemLabelOf('listeners')).toBe('Listener');
    expect(itemLabelOf('weightedTargets')).toBe('Weighted target');
    expect(itemLabelOf('certificateAuthorityArns')).toBe('Certificate authority ARN');
    expect(itemLabelOf('entries')).toBe('Entry');
    expect(itemLabelOf('exact')).toBe('Exact');
  });

  it('puts a label in a sentence, keeping acronyms', () => {
    expect(inSentence('Health check')).toBe('health check');
    expect(inSentence('TLS')).toBe('TLS');
    expect(inSentence('HTTP/2 route')).toBe('HTTP/2 route');
    expect(inSentence('gRPC route')).toBe('gRPC route');
  });

  it("turns the validator's rule into a hint", () => {
    expect(ruleHint('must be between 2 and 10')).toBe('Must be between 2 and 10.');
    expect(ruleHint(undefined)).toBeUndefined();
  });
});
