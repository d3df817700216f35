import { z } from 'zod';

/**
 * What a tenant sends to create or change an EC2 sync source (REST body, GraphQL input). Rules
 * follow the EC2 and Cloud Map limits they feed: tag keys 1-128 characters and values up to 256
 * (EC2), attribute keys not starting with AWS_ (Cloud Map reserves them), a port 1-65535.
 */
export const SOURCE_NAME_RULE =
  'must be 1-64 letters, digits, hyphens, underscores or dots, starting with a letter or digit';
export const REGION_RULE = 'must look like an AWS region, e.g. us-east-1';
export const ROLE_ARN_RULE = 'must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/meshplane-ec2-read';
export const CREDENTIALS_RULE = 'must hold either accessKeyId and secretAccessKey, or roleArn';

const name = z
  .string({ error: 'is required and must be a string' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, SOURCE_NAME_RULE);
const region = z
  .string({ error: 'is required and must be a string' })
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, REGION_RULE);
const endpoint = z
  .string({ error: 'must be a string' })
  .max(2048, 'must be at most 2048 characters')
  .refine(
    (v) => {
      try {
        const url = new URL(v);
        return url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        return false;
      }
    },
    { message: 'must be an http(s) URL, e.g. https://ec2.us-east-1.amazonaws.com' },
  );
const tagKey = z
  .string({ error: 'must be a string' })
  .min(1, 'must be 1-128 characters')
  .max(128, 'must be 1-128 characters');
const tagFilter = z.strictObject({
  key: tagKey,
  values: z
    .array(z.string({ error: 'must be a string' }).max(256, 'must be at most 256 characters'), {
      error: 'must be a list of tag values',
    })
    .min(1, 'must list 1-20 values (an instance matches when its tag has any of them)')
    .max(20, 'must list 1-20 values (an instance matches when its tag has any of them)'),
});
const tagFilters = z
  .array(tagFilter, { error: 'must be a list of { key, values }' })
  .max(10, 'must have at most 10 filters (every one must match)');
const attributeTags = z
  .array(
    tagKey.refine((k) => !k.startsWith('AWS_'), {
      message: 'must not start with AWS_ (attribute names Cloud Map reserves, set by the sync itself)',
    }),
    { error: 'must be a list of tag keys' },
  )
  .max(30, 'must have at most 30 tag keys (Cloud Map allows 30 attributes per instance)');
const port = z
  .number({ error: 'must be an integer from 1 to 65535' })
  .int('must be an integer from 1 to 65535')
  .min(1, 'must be an integer from 1 to 65535')
  .max(65535, 'must be an integer from 1 to 65535');
const intervalSeconds = z
  .number({ error: 'must be an integer from 10 to 86400' })
  .int('must be an integer from 10 to 86400')
  .min(10, 'must be an integer from 10 to 86400')
  .max(86_400, 'must be an integer from 10 to 86400');
const registryName = (max: number) =>
  z
    .string({ error: 'is required and must be a string' })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

const credentials = z
  .strictObject(
    {
      accessKeyId: z
        .string({ error: 'must be a string' })
        .regex(/^[A-Z0-9]{16,128}$/, 'must be an AWS access key id: 16-128 upper-case letters or digits')
        .optional(),
      secretAccessKey: z
        .string({ error: 'must be a string' })
        .min(1, 'must not be empty')
        .max(128, 'must be at most 128 characters')
        .optional(),
      roleArn: z
        .string({ error: 'must be a string' })
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, ROLE_ARN_RULE)
        .optional(),
    },
    { error: 'is required: an object with either accessKeyId and secretAccessKey, or roleArn' },
  )
  .superRefine((c, ctx) => {
    const keys = c.accessKeyId !== undefined || c.secretAccessKey !== undefined;
    const role = c.roleArn !== undefined;
    const pairComplete = c.accessKeyId !== undefined && c.secretAccessKey !== undefined;
    if (keys === role || (keys && !pairComplete)) ctx.addIssue({ code: 'custom', message: CREDENTIALS_RULE });
  });

export const createEc2SyncSourceInput = z.strictObject({
  name,
  region,
  endpoint: endpoint.optional(),
  tagFilters: tagFilters.optional(),
  namespaceName: registryName(1024),
  serviceName: registryName(127),
  attributeTags: attributeTags.optional(),
  port,
  intervalSeconds: intervalSeconds.optional(),
  credentials,
});
export type CreateEc2SyncSourceInput = z.infer<typeof createEc2SyncSourceInput>;

/** Every member optional; `endpoint: null` removes the override. New credentials replace the old ones. */
export const updateEc2SyncSourceInput = z.strictObject({
  name: name.optional(),
  region: region.optional(),
  endpoint: endpoint.nullable().optional(),
  tagFilters: tagFilters.optional(),
  namespaceName: registryName(1024).optional(),
  serviceName: registryName(127).optional(),
  attributeTags: attributeTags.optional(),
  port: port.optional(),
  intervalSeconds: intervalSeconds.optional(),
  credentials: credentials.optional(),
});
export type UpdateEc2SyncSourceInput = z.infer<typeof updateEc2SyncSourceInput>;

export const DEFAULT_INTERVAL_SECONDS = 60;

export interface TagFilter {
  readonly key: string;
  readonly values: readonly string[];
}
