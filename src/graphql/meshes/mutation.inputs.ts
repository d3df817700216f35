import type { Type } from '@nestjs/common';
import { Field, InputType } from '@nestjs/graphql';
import { JsonScalar } from '../scalars/json.scalar.js';

/** Member names are App Mesh's, so that a validation problem names the same field on both APIs. */
@InputType({ description: "App Mesh's TagRef." })
export class TagInput {
  @Field()
  key!: string;

  @Field()
  value!: string;
}

export interface InputMembers {
  /** The names that identify the resource (`meshName`, a parent's name, its own name), all required. */
  readonly names: readonly string[];
  /** The App Mesh spec shape this input's `spec` holds, when it has one. */
  readonly spec?: { readonly shape: string; readonly required: boolean };
  readonly tags?: boolean;
  readonly clientToken?: boolean;
}

/**
 * An input type with App Mesh's member names, built for one operation: the kinds share their
 * members but for their names, so one definition serves every kind (fields are declared with
 * the same decorators a hand-written class would use).
 */
export function appMeshInputType(name: string, members: InputMembers): Type<Record<string, unknown>> {
  const input = class {};
  Object.defineProperty(input, 'name', { value: name });
  for (const member of members.names) Field(() => String)(input.prototype, member);
  if (members.spec) {
    Field(() => JsonScalar, {
      nullable: !members.spec.required,
      description: `App Mesh's ${members.spec.shape}, as JSON (typed inputs are planned).`,
    })(input.prototype, 'spec');
  }
  if (members.tags) Field(() => [TagInput], { nullable: true })(input.prototype, 'tags');
  if (members.clientToken) {
    Field(() => String, {
      nullable: true,
      description: 'Makes a retry safe: the same token with the same input returns the first result.',
    })(input.prototype, 'clientToken');
  }
  InputType(name)(input);
  return input as Type<Record<string, unknown>>;
}
