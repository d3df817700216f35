import { runRoles } from './run-roles.js';

/** All roles in one process: what `npm start` runs for a newcomer. */
await runRoles(['api', 'worker', 'xds']);
