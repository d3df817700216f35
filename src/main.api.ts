import { runRoles } from './run-roles.js';

/** The api role alone, as production runs it. */
await runRoles(['api']);
