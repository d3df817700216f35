import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { REGISTRY_CHANGES, type RegistryChangeListener } from '../registry-changes.js';

/**
 * How the EC2 sync tells the registry's EDS path that instances of some services changed, after
 * its transaction committed. A failure is logged, never thrown: the commit stands, and the
 * listener's own level-triggered repair catches up (registry-changes.ts).
 *
 * The listener is optional HERE ONLY until the registry's EDS path (branch w-registry) provides
 * REGISTRY_CHANGES: without it, the instances are written and read by the next compile of the
 * meshes whose virtual nodes select them, not pushed at once. This class is the one place that
 * knows; it becomes a plain injection when the registry lands.
 */
@Injectable()
export class RegistryChangeNotifier {
  private readonly log = new Logger(RegistryChangeNotifier.name);

  constructor(@Optional() @Inject(REGISTRY_CHANGES) private readonly listener?: RegistryChangeListener) {}

  async servicesChanged(tenantId: string, serviceIds: readonly string[]): Promise<void> {
    if (serviceIds.length === 0 || this.listener === undefined) return;
    try {
      await this.listener.servicesChanged(tenantId, [...new Set(serviceIds)]);
    } catch (err) {
      this.log.warn(
        `registry change of ${serviceIds.length} service(s) not delivered (${err instanceof Error ? err.message : String(err)}); left to the listener's repair`,
      );
    }
  }
}
