import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { badRequest } from '../../common/errors/domain-error.js';
import { HTTP_LAYER_ERRORS } from './aws-error-types.js';
import { duplicateMemberName } from './duplicate-member.js';
import { TransportError } from './transport-error.js';

/** The request as the body reader leaves it: the exact bytes received, before any decoding. */
export interface RequestWithRawBody {
  rawBody?: Buffer;
}

/**
 * Makes Fastify read every request body as bytes, whatever its Content-Type (and on GET too),
 * up to `bodyLimit`, and decode nothing: SigV4 signs the bytes, so authentication must see them
 * exactly as sent, and what the body is may only be judged after authentication (an
 * unauthenticated caller learns nothing). `decodeJsonBody` then runs after the guards.
 */
export function readBodiesAsBytes(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    (request as RequestWithRawBody).rawBody = body as Buffer;
    done(null, undefined);
  });
  // No App Mesh GET takes a body, but a body sent anyway is read, so that the signature is
  // checked over it and decodeJsonBody can refuse it, instead of Node discarding it unseen.
  fastify.addHttpMethod('GET', { hasBody: true, overrideExisting: true });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const JSON_TYPE = /^application\/json\s*(;.*)?$/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/**
 * The request body as a JSON object, or `undefined` for an empty one (the SDKs and the CLI send
 * empty bodies on GET and DELETE). Strict on purpose, so that what a client meant is never
 * guessed at:
 * - a non-identity `Content-Encoding`, or a transfer coding other than `chunked`, is refused
 *   (415), not ignored;
 * - a non-empty body must be `application/json` in UTF-8 (415 otherwise: forms and text are not
 *   parsed as anything);
 * - its bytes must be valid UTF-8 (400): a lenient decoder would turn different byte strings into
 *   the same U+FFFD-laden name;
 * - it must be valid JSON whose top level is an object (400): `null`, arrays, numbers and strings
 *   are not taken for `{}`; `__proto__` and `constructor.prototype` keys are refused, and so is a
 *   member name that appears twice in one object (which readers resolve differently).
 */
export function decodeJsonBody(
  headers: IncomingHttpHeaders,
  raw: Buffer | undefined,
): Record<string, unknown> | undefined {
  const encoding = headers['content-encoding']?.trim();
  if (encoding !== undefined && encoding !== '' && encoding.toLowerCase() !== 'identity') {
    throw new TransportError(
      HTTP_LAYER_ERRORS.unsupportedMediaType,
      `Content-Encoding '${encoding}' is not supported: send the request body uncompressed (identity).`,
    );
  }
  // Node decodes only `chunked`; any other transfer coding would reach us still encoded.
  const transfer = headers['transfer-encoding']?.trim();
  if (transfer !== undefined && transfer.toLowerCase() !== 'chunked') {
    throw new TransportError(
      HTTP_LAYER_ERRORS.unsupportedMediaType,
      `Transfer-Encoding '${transfer}' is not supported: send the body with Content-Length or Transfer-Encoding: chunked.`,
    );
  }
  if (raw === undefined || raw.length === 0) return undefined;
  const type = headers['content-type'];
  if (type === undefined || !JSON_TYPE.test(type.trim())) {
    throw new TransportError(
      HTTP_LAYER_ERRORS.unsupportedMediaType,
      `${type === undefined ? 'A request body without a Content-Type' : `Content-Type '${type}'`} is not supported: send the body as application/json.`,
    );
  }
  const charset = CHARSET.exec(type)?.[1];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
    throw new TransportError(
      HTTP_LAYER_ERRORS.unsupportedMediaType,
      `Charset '${charset}' is not supported: send the JSON body in UTF-8.`,
    );
  }
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw badRequest('body: must be UTF-8 text; it contains bytes that are not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    throw badRequest(`body: must be valid JSON (${(err as Error).message}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`body: must be a JSON object, not ${describeJson(value)}.`);
  }
  const duplicate = duplicateMemberName(text);
  if (duplicate !== undefined) {
    throw badRequest(`body: member '${duplicate}' appears more than once in one object.`);
  }
  return value as Record<string, unknown>;
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
