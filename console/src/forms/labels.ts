/** Words of member names that are written otherwise in prose (`grpcRoute` → "gRPC route"). */
const WORDS: Readonly<Record<string, string>> = {
  acm: 'ACM',
  arn: 'ARN',
  aws: 'AWS',
  dns: 'DNS',
  grpc: 'gRPC',
  http: 'HTTP',
  http2: 'HTTP/2',
  ip: 'IP',
  json: 'JSON',
  sds: 'SDS',
  tcp: 'TCP',
  tls: 'TLS',
  uri: 'URI',
};

/** A member name as a label: `portMapping` → "Port mapping", `http2Route` → "HTTP/2 route". */
export function labelOf(member: string): string {
  const words = member
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(' ')
    .map((w) => WORDS[w.toLowerCase()] ?? w.toLowerCase());
  const first = words[0] ?? '';
  words[0] = WORDS[first.toLowerCase()] ? first : first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(' ');
}

/** One item of a list member: `weightedTargets` → "Weighted target", `certificateAuthorityArns` → "Certificate authority ARN". */
export function itemLabelOf(member: string): string {
  const singular = member.endsWith('ies')
    ? `${member.slice(0, -3)}y`
    : member.endsWith('s') && !member.endsWith('ss')
      ? member.slice(0, -1)
      : member;
  return labelOf(singular);
}

/** The model's rule as a hint, in the validator's words: "must be between 1 and 65535" → "Must be between 1 and 65535." */
export function ruleHint(rule: string | undefined): string | undefined {
  return rule === undefined ? undefined : `${rule.charAt(0).toUpperCase()}${rule.slice(1)}.`;
}

/** A label inside a sentence ("Add health check", "Add TLS"): lower-cased unless it starts with an acronym. */
export function inSentence(label: string): string {
  return /^[A-Z][A-Z/0-9]/.test(label) || /^g[A-Z]/.test(label)
    ? label
    : label.charAt(0).toLowerCase() + label.slice(1);
}
