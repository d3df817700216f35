/**
 * The associated data a source's secret key is sealed with (SecretBox): its own id, so a
 * ciphertext copied onto another source's row does not open.
 */
export const sealedSecretAad = (sourceId: string) => `ec2-sync-source:${sourceId}`;
