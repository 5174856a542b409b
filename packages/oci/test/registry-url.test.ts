// Registry URL rules: https by default, plain HTTP only for loopback or named insecure registries, Docker Hub's API host.
import { describe, expect, it } from 'vitest';
import { safeUrl } from '../src/http.js';
import { isLoopbackRegistry, registryBaseUrl, repositoryUrl } from '../src/registry-url.js';

describe('registry URLs', () => {
  it('knows loopback hosts', () => {
    for (const h of [
      'localhost',
      'localhost:5000',
      '127.0.0.1:5000',
      '127.255.0.9',
      '[::1]:5000',
      'LOCALHOST',
    ])
      expect(isLoopbackRegistry(h)).toBe(true);
    for (const h of [
      'ghcr.io',
      '128.0.0.1',
      '127.0.0.1.nip.io',
      '127.0.0.256',
      'localhost.evil.com',
      '[::2]:5000',
      '10.0.0.1',
    ])
      expect(isLoopbackRegistry(h)).toBe(false);
  });

  it('uses https unless loopback or listed as insecure', () => {
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('127.0.0.1:5000', { loopbackHttp: false })).toBe('https://127.0.0.1:5000');
    expect(registryBaseUrl('reg.corp:5000', { insecureRegistries: ['reg.corp:5000'] })).toBe(
      'http://reg.corp:5000',
    );
    expect(registryBaseUrl('reg.corp:5000', { insecureRegistries: ['reg.corp'] })).toBe(
      'https://reg.corp:5000',
    );
    expect(() => registryBaseUrl('a/b@c')).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
  });

  it('builds repository paths and refuses ones that climb out of /v2/', () => {
    expect(repositoryUrl('http://h', 'a/b-c', 'tags/list')).toBe('http://h/v2/a/b-c/tags/list');
    for (const bad of ['../x', 'a//b', 'A', 'a/../../b', ''])
      expect(() => repositoryUrl('http://h', bad, 'x')).toThrow(
        expect.objectContaining({ code: 'ERR_USAGE' }),
      );
  });

  it('never echoes userinfo or a query in an error URL', () => {
    expect(safeUrl('https://u:secret@r.io/v2/a?_state=s3cr3t&X-Amz-Signature=abc')).toBe('https://r.io/v2/a');
    expect(safeUrl('not a url')).toBe('(invalid URL)');
  });
});
