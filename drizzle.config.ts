import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes SQL migrations for schema changes into migrations/.
// The runtime applies them itself at startup (src/db/migrate.ts), on PGlite and on a server.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
});
