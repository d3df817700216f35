import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'meshplane:public';

/** Marks a controller or handler as reachable without credentials (health, metrics). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
