import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI on machines that have its native engine (`prisma migrate deploy`).
// The project's own commands (`npm run db:*`) do not need this file.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
