import { Inject, Injectable, Logger } from '@nestjs/common';
import { REGISTRY_CHANGES, type RegistryChangeListener } from '../registry-changes.js';

/**
 * How the EC2 sync tells the registry's EDS path that instances of some services changed, after
 * its transaction committed (and stamped those services, see registry-changes.ts). A failure is
 * logged, never thrown: the commit stands, and the endpoints sweep's repair applies the stamped
 * services again.
 */
@Injectable()
export class RegistryChangeNotifier {
  private readonly log = new Logger(RegistryChangeNotifier.name);

  constructor(@Inject(REGISTRY_CHANGES) private readonly listener: RegistryChangeListener) {}

  async servicesChanged(tenantId: string, serviceIds: readonly string[]): Promise<void> {
    if (serviceIds.length === 0) return;
    try {
      await this.listener.servicesChanged(tenantId, [...new Set(serviceIds)]);
    } catch (err) {
      this.log.warn(
        `registry change of ${serviceIds.length} service(s) not delivered (${err instanceof Error ? err.message : String(err)}); the endpoints sweep repairs it`,
      );
    }
  }
}
