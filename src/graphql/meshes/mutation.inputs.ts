import type { Type } from '@nestjs/common';
import { Field, InputType, Int } from '@nestjs/graphql';
import { specInputType } from '../specs/spec-types.js';

export interface InputMembers {
  /** The names that identify the resource (`meshName`, a parent's name, its own name), all required. */
  readonly names: readonly string[];
  /** The App Mesh spec shape this input's `spec` holds, when it has one. */
  readonly spec?: { readonly shape: string; readonly required: boolean };
  readonly tags?: boolean;
  readonly clientToken?: boolean;
  /** An update or delete: the write can be made conditional on the version the caller read. */
  readonly expectedVersion?: boolean;
}

/** GraphQL's own member of updates and deletes; not App Mesh's, so never given to its validator. */
export const EXPECTED_VERSION = 'expectedVersion';

/**
 * An input type with App Mesh's member names, built for one operation: the kinds share their
 * members but for their names, so one definition serves every kind (fields are declared with
 * the same decorators a hand-written class would use). `spec` and `tags` are the typed inputs
 * derived from the App Mesh model (specs/spec-types.ts).
 */
export function appMeshInputType(name: string, members: InputMembers): Type<Record<string, unknown>> {
  const input = class {};
  Object.defineProperty(input, 'name', { value: name });
  for (const member of members.names) Field(() => String)(input.prototype, member);
  if (members.spec) {
    const spec = specInputType(members.spec.shape);
    Field(() => spec, { nullable: !members.spec.required, description: `App Mesh's ${members.spec.shape}.` })(
      input.prototype,
      'spec',
    );
  }
  if (members.tags) {
    const tag = specInputType('TagRef');
    Field(() => [tag], { nullable: true })(input.prototype, 'tags');
  }
  if (members.clientToken) {
    Field(() => String, {
      nullable: true,
      description: 'Makes a retry safe: the same token with the same input returns the first result.',
    })(input.prototype, 'clientToken');
  }
  if (members.expectedVersion) {
    Field(() => Int, {
      nullable: true,
      description:
        "Optimistic concurrency: the write happens only if the resource's `version` is still this one; otherwise a CONFLICT error, and nothing changes.",
    })(input.prototype, EXPECTED_VERSION);
  }
  InputType(name)(input);
  return input as Type<Record<string, unknown>>;
}
