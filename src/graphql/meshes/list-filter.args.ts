import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { badRequest } from '../../common/errors/domain-error.js';
import { textProblem } from '../../common/validation/text.js';
import type { ListFilter } from '../../meshes/resources/mesh-store.js';
import { nameArg } from './name-args.js';

/** App Mesh's TagKey and TagValue lengths (code points). */
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

@InputType({ description: 'Resources carrying the tag `key`, with `value` when it is given (any value otherwise).' })
export class TagFilter {
  @Field()
  key!: string;

  @Field(() => String, { nullable: true })
  value?: string | null;
}

/** The filters of every connection of meshes and mesh resources (App Mesh's lists have none). */
@ArgsType()
export class ListFilterArgs {
  @Field(() => String, { nullable: true, description: 'Only names that start with this text (matched literally).' })
  namePrefix?: string | null;

  @Field(() => TagFilter, { nullable: true, description: 'Only resources with this tag.' })
  tag?: TagFilter | null;
}

/** The service's filter for the arguments, held to App Mesh's rules for names and tags. */
export function listFilter(args: ListFilterArgs): ListFilter {
  const filter: { namePrefix?: string; tag?: { key: string; value?: string } } = {};
  if (args.namePrefix !== null && args.namePrefix !== undefined && args.namePrefix !== '') {
    filter.namePrefix = nameArg('namePrefix', args.namePrefix, true);
  }
  if (args.tag !== null && args.tag !== undefined) {
    const key = tagText('tag.key', args.tag.key, 1, MAX_TAG_KEY);
    const value = args.tag.value ?? undefined;
    filter.tag = value === undefined ? { key } : { key, value: tagText('tag.value', value, 0, MAX_TAG_VALUE) };
  }
  return filter;
}

function tagText(field: string, value: string, min: number, max: number): string {
  const length = [...value].length;
  if (length < min || length > max)
    throw badRequest(`${field}: must be ${min} to ${max} characters long; got ${length}`);
  const problem = textProblem(value);
  if (problem !== undefined) throw badRequest(`${field}: ${problem}`);
  return value;
}
