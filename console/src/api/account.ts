import { gql } from './client';

export interface AccessKey {
  readonly accessKeyId: string;
  readonly description: string | null;
  readonly status: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}
export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly status: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}
export interface Account {
  readonly accountId: string;
  readonly name: string;
  readonly plan: string;
  readonly status: string;
  readonly accessKeys: readonly AccessKey[];
  readonly apiTokens: readonly ApiToken[];
}

export async function readAccount(): Promise<Account> {
  const data = await gql<{ account: Account }>(`{ account { accountId name plan status
    accessKeys { accessKeyId description status createdAt lastUsedAt }
    apiTokens { id name prefix status createdAt lastUsedAt } } }`);
  return data.account;
}

export async function createAccessKey(description: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const data = await gql<{ createAccessKey: { accessKeyId: string; secretAccessKey: string } }>(
    `mutation($input: CreateAccessKeyInput) { createAccessKey(input: $input) { accessKeyId secretAccessKey } }`,
    { input: description ? { description } : {} },
  );
  return data.createAccessKey;
}

export async function revokeAccessKey(accessKeyId: string): Promise<void> {
  await gql(`mutation($id: String!) { revokeAccessKey(accessKeyId: $id) { status } }`, { id: accessKeyId });
}

export async function createApiToken(name: string): Promise<{ id: string; token: string }> {
  const data = await gql<{ createApiToken: { id: string; token: string } }>(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { id token } }`,
    { input: { name } },
  );
  return data.createApiToken;
}

export async function revokeApiToken(id: string): Promise<void> {
  await gql(`mutation($id: ID!) { revokeApiToken(id: $id) { status } }`, { id });
}
