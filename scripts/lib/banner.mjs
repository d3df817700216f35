// @ts-check

/**
 * @typedef {object} DemoTenant The `tenant create` output `npm start` keeps in .data/demo-tenant.json.
 * @property {string} accountId
 * @property {{ accessKeyId: string, secretAccessKey: string }} accessKey
 * @property {{ token: string }} apiToken
 */

/**
 * @typedef {object} BannerInfo
 * @property {number} port
 * @property {number} xdsPort
 * @property {string} adminToken
 * @property {string} region
 * @property {DemoTenant | undefined} demo
 * @property {boolean} [explorer] Whether GraphiQL is served at /graphiql (GRAPHQL_EXPLORER).
 */

/**
 * What `npm start` prints once every role is ready: where each API is, the operator token, the
 * demo tenant's credentials and commands to try. Each element is one line; it ends with an empty
 * line, so the shell prompt or the first request log starts on a line of its own.
 * @param {BannerInfo} info
 * @returns {string[]}
 */
export function bannerLines({ port, xdsPort, adminToken, demo, region, explorer = false }) {
  const api = `http://localhost:${port}`;
  const lines = [
    '',
    'meshplane is running (api, worker and xds roles in one process). Ctrl-C stops it.',
    '',
    `  Web console    ${api}/console     (sign in with an API token; #/admin with the operator token)`,
    `  App Mesh API   ${api}/v20190125   (AWS SDKs, CLI, Terraform; SigV4, region ${region})`,
    `  Tenant API     ${api}/v1          (Authorization: Bearer <api token>)`,
    `  GraphQL API    ${api}/graphql     (Authorization: Bearer <api token>)${explorer ? `; explorer ${api}/graphiql` : ''}`,
    `  Operator API   ${api}/admin/v1    (Authorization: Bearer <operator token>)`,
    `  Health         ${api}/healthz  ${api}/readyz  ${api}/metrics`,
    `  xDS (gRPC)     localhost:${xdsPort}`,
    '',
    `  Operator token ${adminToken}`,
  ];
  if (demo) {
    lines.push(
      '',
      `  Demo tenant    account ${demo.accountId}`,
      `    AWS_ACCESS_KEY_ID=${demo.accessKey.accessKeyId}`,
      `    AWS_SECRET_ACCESS_KEY=${demo.accessKey.secretAccessKey}`,
      `    API token    ${demo.apiToken.token}`,
      '',
      '  Try it:',
      `    export AWS_ACCESS_KEY_ID=${demo.accessKey.accessKeyId} AWS_SECRET_ACCESS_KEY=${demo.accessKey.secretAccessKey} AWS_REGION=${region} AWS_DEFAULT_REGION=${region}`,
      `    aws appmesh list-meshes --endpoint-url ${api}`,
      `    curl -H 'Authorization: Bearer ${demo.apiToken.token}' ${api}/v1/account`,
    );
  }
  lines.push('', '  Docs: README.md, docs/', '');
  return lines;
}
