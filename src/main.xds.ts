import { runRoles } from './run-roles.js';

/** The xds role alone, as production runs it. */
await runRoles(['xds']);
