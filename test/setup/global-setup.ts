/**
 * Tests need the real PostgreSQL and Redis that `npm test` prepares (fresh test database,
 * migrations applied). Running Vitest directly without them would fail in confusing ways.
 */
export default function setup(): void {
  if (process.env['MESHPLANE_TEST_PREPARED'] !== '1' || !process.env['DATABASE_URL'] || !process.env['REDIS_URL']) {
    throw new Error('Run the tests with `npm test` (it starts PostgreSQL and Redis and prepares the test database).');
  }
}
