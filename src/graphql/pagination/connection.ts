import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { badRequest, DomainError } from '../../common/errors/domain-error.js';
import type { Page, PageRequest } from '../../meshes/resources/mesh-resources.service.js';

/** Page sizes: the App Mesh API's own bounds (its `limit` is 1-100). */
export const DEFAULT_FIRST = 25;
export const MAX_FIRST = 100;

@ObjectType({ description: 'Where a page ends, and whether another follows (Relay cursor connections).' })
export class PageInfo {
  @Field({ description: 'Whether a next page exists: ask for it with `after: endCursor`.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Opaque cursor after the last item of this page.' })
  endCursor!: string | null;
}

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1-${MAX_FIRST} (default ${DEFAULT_FIRST}).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The `endCursor` of the previous page.' })
  after?: string | null;
}

/** A page of `T`, the shape every list of the API takes. */
export interface Connection<T> {
  readonly nodes: T[];
  readonly pageInfo: PageInfo;
}

/** `nodes` of type `T` and `pageInfo`; concrete connection types extend what this returns. */
export function ConnectionOf<T>(node: Type<T>): Type<Connection<T>> {
  @ObjectType({ isAbstract: true })
  abstract class ConnectionType implements Connection<T> {
    @Field(() => [node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionType as unknown as Type<Connection<T>>;
}

/** The service's page request for connection arguments (the cursor is the service's page token). */
export function pageRequest(args: ConnectionArgs): PageRequest {
  const first = args.first ?? DEFAULT_FIRST;
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) {
    throw badRequest(`first: must be between 1 and ${MAX_FIRST}; got ${first}`);
  }
  const after = args.after ?? undefined;
  return { limit: first, ...(after === undefined ? {} : { nextToken: after }) };
}

/** Runs a listing, naming `after` (not REST's `nextToken`) when the cursor is refused. */
export async function listPage<R, T>(
  args: ConnectionArgs,
  list: (page: PageRequest) => Promise<Page<R>>,
  view: (item: R) => T,
): Promise<Connection<T>> {
  let page: Page<R>;
  try {
    page = await list(pageRequest(args));
  } catch (err) {
    if (err instanceof DomainError && err.code === 'BAD_REQUEST' && err.message.startsWith('nextToken:')) {
      throw badRequest('after: is not a cursor returned by this connection');
    }
    throw err;
  }
  return {
    nodes: page.items.map(view),
    pageInfo: { hasNextPage: page.nextToken !== undefined, endCursor: page.nextToken ?? null },
  };
}
