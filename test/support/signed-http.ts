import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { call, type TestApp } from './test-app.js';

/**
 * A GET to the App Mesh API as raw SigV4-signed HTTP, signed as the SDK would: for what the SDKs
 * hide (members they drop, error headers of paths that are no operation).
 */
export async function signedAppMeshGet(
  app: TestApp,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
  path: string,
): Promise<{ status: number; body: any; headers: Headers }> {
  const url = new URL(app.baseUrl);
  const signer = new SignatureV4({ service: 'appmesh', region: app.config.region, credentials, sha256: Sha256 });
  const request = await signer.sign(
    new HttpRequest({
      method: 'GET',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      headers: { host: url.host },
    }),
  );
  return call(app.baseUrl, 'GET', path, request.headers as Record<string, string>);
}
