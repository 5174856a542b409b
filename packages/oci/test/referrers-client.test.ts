// ReferrersClient remembers, per registry, that the referrers route answered 404, until an OCI-Subject shows the API.
// Against the real registry, through the test proxy that adds the referrers API in front of it when switched on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferrersProxy, startReferrersProxy } from '../../../test/support/referrers-proxy.js';
import { type RunningRegistry, startRegistry } from '../../../test/support/registry.js';
import { attachBundle } from '../src/attach.js';
import { ReferrersClient } from '../src/referrers-client.js';
import { pushSmallImage, testBundle } from './layouts/fixtures.js';

let registry: RunningRegistry;
let proxy: ReferrersProxy;
beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startReferrersProxy(registry.url);
});
afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
});

const referrersCalls = (): number => proxy.requests.filter((r) => r.includes('/referrers/')).length;

describe('ReferrersClient: registries without the referrers API', () => {
  it('asks once, then answers unsupported without a request; an OCI-Subject on a PUT makes it ask again', async () => {
    proxy.referrersApi = false;
    const client = new ReferrersClient();
    const target = { registry: proxy.host, repository: 'memo/app' };
    const subject = await pushSmallImage(client, target, 'memo');
    const before = referrersCalls();
    expect(await client.getReferrers({ target, subject: subject.digest })).toEqual({ supported: false });
    expect(await client.getReferrers({ target, subject: subject.digest })).toEqual({ supported: false });
    expect(referrersCalls() - before).toBe(1);
    // Another client has learnt nothing.
    expect(await new ReferrersClient().getReferrers({ target, subject: subject.digest })).toEqual({
      supported: false,
    });
    expect(referrersCalls() - before).toBe(2);

    // The registry gains the API: the next manifest PUT with a subject is answered with OCI-Subject.
    proxy.referrersApi = true;
    const attached = await attachBundle({
      client,
      target,
      subject,
      bundle: testBundle('memo', 'https://example.com/p/v1'),
      predicateType: 'https://example.com/p/v1',
    });
    expect(attached.via).toBe('referrers-api');
    const answer = await client.getReferrers({ target, subject: subject.digest });
    expect(answer.supported).toBe(true);
    expect(referrersCalls() - before).toBe(3);
  });
});
