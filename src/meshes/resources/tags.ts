import { badRequest, DomainError } from '../../common/errors/domain-error.js';

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** Checks a resource's full tag list: unique keys, at most the plan's tags per resource. */
export function validateTags(tags: readonly Tag[], maxTags: number): Tag[] {
  const seen = new Set<string>();
  for (const [i, tag] of tags.entries()) {
    if (seen.has(tag.key)) throw badRequest(`tags[${i}].key: ${tag.key} appears more than once`);
    seen.add(tag.key);
  }
  if (tags.length > maxTags) {
    throw new DomainError(
      'TOO_MANY_TAGS',
      `A resource can have at most ${maxTags} tags; this request would leave it with ${tags.length}. None of the tags were applied.`,
    );
  }
  return [...tags];
}

/** Adds or overwrites tags by key, keeping the existing order. */
export function mergeTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(current.map((t) => [t.key, t.value]));
  for (const t of added) byKey.set(t.key, t.value);
  return [...byKey].map(([key, value]) => ({ key, value }));
}

export function removeTags(current: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys);
  return current.filter((t) => !drop.has(t.key));
}
