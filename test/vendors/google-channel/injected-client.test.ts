import { describe, expect, it, onTestFinished } from 'vitest';
import { startChannelEmulator } from '../../../src/testing/index.ts';
import { ChannelClient } from '../../../src/vendors/google-channel/channel-client.ts';
import {
  type ChannelClientLike,
  createGoogleChannelProvisioner,
} from '../../../src/vendors/google-channel/index.ts';
import { customers, endpoint, OFFER_STARTER, VERIFIED } from './helpers.ts';

describe('an injected client of the official CloudChannelServiceClient shape', () => {
  it('is used for create, polls through checkCreateEntitlementProgress, and for get', async () => {
    const emulator = await startChannelEmulator({ customers: customers(2) });
    const inner = new ChannelClient(endpoint(emulator, 'grpc'));
    onTestFinished(async () => {
      await inner.close();
      await emulator.close();
    });
    const used: string[] = [];
    // Only the methods the official client is documented to have for this flow.
    const official: ChannelClientLike = {
      createEntitlement: (request, options) => {
        used.push('createEntitlement');
        return inner.createEntitlement(request, options);
      },
      checkCreateEntitlementProgress: (name) => {
        used.push('checkCreateEntitlementProgress');
        return inner.checkCreateEntitlementProgress(name);
      },
      getEntitlement: (request, options) => {
        used.push('getEntitlement');
        return inner.getEntitlement(request, options);
      },
    };
    const provisioner = createGoogleChannelProvisioner({
      client: official,
      polling: { initialDelayMs: 1, maxDelayMs: 5 },
    });
    const operation = await provisioner.create({
      vendor: 'google-channel',
      parent: VERIFIED,
      entitlement: { offer: OFFER_STARTER },
    });
    const entitlement = await operation.wait();
    const read = await provisioner.get({ vendor: 'google-channel', name: entitlement.id });
    expect(read).toMatchObject({ id: entitlement.id, state: 'active' });
    expect(used[0]).toBe('createEntitlement');
    expect(used.filter((name) => name === 'checkCreateEntitlementProgress').length).toBeGreaterThanOrEqual(2);
    expect(used.at(-1)).toBe('getEntitlement');
    expect(emulator.operations()).toHaveLength(1);
    await expect(operation.cancel()).rejects.toMatchObject({ kind: 'failed-precondition' });
  });
});
