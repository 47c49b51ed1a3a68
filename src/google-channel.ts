/** `entitlement-provisioner/google-channel`: the Google Cloud Channel adapter (loads google-gax). */
export * from './vendors/google-channel/index.ts';
