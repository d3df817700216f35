import { Injectable } from '@nestjs/common';

/**
 * The time billing decides by: which hour a plan change takes effect, which month is open. A
 * provider rather than `new Date()` so that integration tests can move to the next hour or the
 * next month without waiting (the seam for time; nothing else about billing is replaced).
 */
@Injectable()
export class BillingClock {
  now(): Date {
    return new Date();
  }
}
