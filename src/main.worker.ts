import { runRoles } from './run-roles.js';

/** The worker role alone, as production runs it. */
await runRoles(['worker']);
