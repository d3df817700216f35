import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { Ec2SyncSource } from '../../generated/prisma/client.js';
import { SecretBox } from '../../tenants/credentials/secret-box.js';
import { allowedEndpoints, endpointAllowed } from './ec2-endpoints.js';
import { sealedSecretAad } from './sealed-secret.js';

/** A source as a run needs it: its row and its tenant's account id (the ExternalId of AssumeRole). */
export type SourceForRun = Ec2SyncSource & { readonly accountId: string };

/** The SDK's attempts per call: its standard retry backs off on throttling and 5xx between them. */
const MAX_ATTEMPTS = 3;
const CONNECTION_TIMEOUT_MS = 5_000;
/** Credentials from AssumeRole live this long (the minimum STS allows): one run needs seconds. */
const ROLE_SESSION_SECONDS = 900;

/** Raised when a stored endpoint is no longer one the operator allows (the setting changed). */
export class EndpointNotAllowed extends Error {
  constructor(endpoint: string) {
    super(`endpoint ${endpoint} is not in EC2_SYNC_ALLOWED_ENDPOINTS any more; update the source`);
    this.name = 'EndpointNotAllowed';
  }
}

/**
 * Builds the real `@aws-sdk/client-ec2` client one run of a source uses: its region, its endpoint
 * override, and its credentials — the sealed access key opened here, in memory only, or
 * temporary credentials from STS AssumeRole (the worker's own AWS credentials, from the SDK's
 * default chain, assume the tenant's role; the tenant's account id is the ExternalId the role's
 * trust policy should require, so one tenant cannot name another customer's role).
 */
@Injectable()
export class Ec2ClientFactory {
  private readonly endpoints: ReadonlySet<string>;
  private readonly requestTimeoutMs: number;

  constructor(
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.endpoints = allowedEndpoints(config.ec2SyncAllowedEndpoints);
    this.requestTimeoutMs = config.ec2SyncRequestTimeoutMs;
  }

  create(source: SourceForRun): EC2Client {
    if (source.endpoint !== null && !endpointAllowed(this.endpoints, source.endpoint)) {
      throw new EndpointNotAllowed(source.endpoint);
    }
    const common = {
      region: source.region,
      ...(source.endpoint !== null ? { endpoint: source.endpoint } : {}),
      maxAttempts: MAX_ATTEMPTS,
      // A request past its timeout fails (the SDK only warns unless told): a hung connection
      // must end the run as `unreachable`, not hold the job.
      requestHandler: {
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        requestTimeout: this.requestTimeoutMs,
        throwOnRequestTimeout: true,
      },
    };
    return new EC2Client({ ...common, credentials: this.credentials(source, common) });
  }

  /**
   * The access key, opened in memory; or a provider that calls STS AssumeRole (through the same
   * endpoint override) when the EC2 client first needs credentials, so STS's refusals surface
   * as the run's failure like EC2's.
   */
  private credentials(
    source: SourceForRun,
    common: { region: string; endpoint?: string; maxAttempts: number },
  ): NonNullable<EC2ClientConfig['credentials']> {
    if (source.roleArn !== null) {
      return fromTemporaryCredentials({
        params: {
          RoleArn: source.roleArn,
          RoleSessionName: `meshplane-ec2-sync-${source.accountId}`,
          ExternalId: source.accountId,
          DurationSeconds: ROLE_SESSION_SECONDS,
        },
        clientConfig: common,
      });
    }
    if (source.accessKeyId === null || source.secretCiphertext === null || source.masterKeyId === null) {
      throw new Error(`source ${source.id} has neither an access key nor a role`);
    }
    const secretAccessKey = this.box.open(source.secretCiphertext, source.masterKeyId, sealedSecretAad(source.id));
    return { accessKeyId: source.accessKeyId, secretAccessKey };
  }
}
