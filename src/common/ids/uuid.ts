/**
 * A UUID in its canonical text form. Ids that are PostgreSQL `uuid` columns are checked with this
 * before a query: any other text would make PostgreSQL fail the query (22P02), not find nothing.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
