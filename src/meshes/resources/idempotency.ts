import { createHash } from 'node:crypto';
import { conflict } from '../../common/errors/domain-error.js';
import { canonicalJson } from '../../common/json/canonical-json.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { ResourceData } from './resource-views.js';

/** Hash of a request as far as idempotency is concerned: the operation and its input, token excluded. */
export function requestHash(operation: string, input: object): string {
  const { clientToken: _token, ...rest } = input as { clientToken?: string };
  return createHash('sha256')
    .update(canonicalJson({ operation, input: rest }))
    .digest('hex');
}

/** Stored form of a result: JSON, with the metadata timestamps as ISO strings. */
export function encodeResult(data: ResourceData): Prisma.InputJsonValue {
  return asJson(JSON.parse(JSON.stringify(data)));
}

/** Values that passed the App Mesh model's validation are JSON; this says so to Prisma's types. */
export function asJson(value: unknown): Prisma.InputJsonValue {
  return value as Prisma.InputJsonValue;
}

export function decodeResult(stored: unknown): ResourceData {
  const data = stored as ResourceData & { metadata: { createdAt: string; lastUpdatedAt: string } };
  return {
    ...data,
    metadata: {
      ...data.metadata,
      createdAt: new Date(data.metadata.createdAt),
      lastUpdatedAt: new Date(data.metadata.lastUpdatedAt),
    },
  };
}

/** The answer to a repeated clientToken: the first result, or a conflict when the request differs. */
export function replay(
  record: { requestHash: string; response: unknown },
  hash: string,
  clientToken: string,
): ResourceData {
  if (record.requestHash !== hash) {
    throw conflict(`clientToken ${clientToken} was already used with a different request.`);
  }
  return decodeResult(record.response);
}
