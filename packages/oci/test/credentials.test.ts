// Docker config.json lookup: auths (auth, username/password, identitytoken), credHelpers and credsStore via a real helper.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCredentials } from '../src/credentials.js';

let dir: string;
let bin: string;
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function withConfig(config: unknown): Promise<Record<string, string | undefined>> {
  const cfg = await mkdtemp(join(dir, 'cfg-'));
  await writeFile(join(cfg, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return { DOCKER_CONFIG: cfg, PATH: `${bin}:/usr/bin:/bin` };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-creds-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  // A real helper speaking docker-credential-helpers' protocol: server on stdin, JSON on stdout.
  await writeFile(
    join(bin, 'docker-credential-test'),
    `#!/bin/sh
read server
case "$server" in
  reg.example:5000) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-s3cret"}' "$server" ;;
  tok.example) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-tok"}' "$server" ;;
  slow.example) sleep 5 ;;
  junk.example) echo 'leaked-s3cret not json' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
  );
  await chmod(join(bin, 'docker-credential-test'), 0o755);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dockerCredentials', () => {
  it('reads auths by host, by URL, and Docker Hub under its legacy key', async () => {
    const env = await withConfig({
      auths: {
        'reg.example': { auth: b64('alice:pa:ss') },
        'https://other.example/v1/': { username: 'bob', password: 'pw' },
        'https://index.docker.io/v1/': { auth: b64('hub:hubpw') },
        'id.example': { auth: b64('carol:'), identitytoken: 'refresh' },
      },
    });
    const opts = { env, homeDir: dir };
    expect(await dockerCredentials('reg.example', opts)).toEqual({ username: 'alice', password: 'pa:ss' });
    expect(await dockerCredentials('other.example', opts)).toEqual({ username: 'bob', password: 'pw' });
    expect(await dockerCredentials('docker.io', opts)).toEqual({ username: 'hub', password: 'hubpw' });
    expect(await dockerCredentials('id.example', opts)).toEqual({
      username: 'carol',
      identityToken: 'refresh',
    });
    expect(await dockerCredentials('none.example', opts)).toBeUndefined();
  });

  it('uses ~/.docker/config.json without DOCKER_CONFIG, and anonymous when there is none', async () => {
    const home = await mkdtemp(join(dir, 'home-'));
    expect(await dockerCredentials('reg.example', { env: {}, homeDir: home })).toBeUndefined();
    await mkdir(join(home, '.docker'));
    await writeFile(
      join(home, '.docker', 'config.json'),
      JSON.stringify({ auths: { 'reg.example': { auth: b64('u:p') } } }),
    );
    expect(await dockerCredentials('reg.example', { env: {}, homeDir: home })).toEqual({
      username: 'u',
      password: 'p',
    });
  });

  it('runs credHelpers[host] before auths, and credsStore for the rest', async () => {
    const env = await withConfig({
      credHelpers: { 'reg.example:5000': 'test' },
      auths: { 'reg.example:5000': { auth: b64('not:used') } },
    });
    expect(await dockerCredentials('reg.example:5000', { env, homeDir: dir })).toEqual({
      username: 'helper-user',
      password: 'helper-s3cret',
    });
    const store = await withConfig({ credsStore: 'test' });
    expect(await dockerCredentials('tok.example', { env: store, homeDir: dir })).toEqual({
      identityToken: 'refresh-tok',
    });
    expect(await dockerCredentials('unknown.example', { env: store, homeDir: dir })).toBeUndefined();
  });

  it('fails with ERR_REGISTRY_AUTH, without the helper output, when a helper is missing, slow or prints junk', async () => {
    const missing = await withConfig({ credsStore: 'absent' });
    await expect(dockerCredentials('reg.example', { env: missing, homeDir: dir })).rejects.toMatchObject({
      code: 'ERR_REGISTRY_AUTH',
      message: expect.stringContaining('not found on PATH'),
    });
    const store = await withConfig({ credsStore: 'test' });
    await expect(
      dockerCredentials('slow.example', { env: store, homeDir: dir, helperTimeoutMs: 200 }),
    ).rejects.toMatchObject({ code: 'ERR_REGISTRY_AUTH', message: expect.stringContaining('timed out') });
    const junk = dockerCredentials('junk.example', { env: store, homeDir: dir });
    await expect(junk).rejects.toMatchObject({ code: 'ERR_REGISTRY_AUTH' });
    await expect(junk).rejects.not.toThrow(/s3cret/);
    const badName = await withConfig({ credsStore: '../evil' });
    await expect(dockerCredentials('x.example', { env: badName, homeDir: dir })).rejects.toMatchObject({
      code: 'ERR_REGISTRY_AUTH',
    });
  });

  it('reports a broken config without quoting its secrets', async () => {
    const broken = await withConfig('{"auths":{"reg.example":{"auth":"c2VjcmV0LXB3"}},,}');
    const p = dockerCredentials('reg.example', { env: broken, homeDir: dir });
    await expect(p).rejects.toMatchObject({ code: 'ERR_MALFORMED_JSON' });
    await expect(p).rejects.not.toThrow(/c2VjcmV0/);
    const noColon = await withConfig({ auths: { 'reg.example': { auth: b64('secret-without-colon') } } });
    const q = dockerCredentials('reg.example', { env: noColon, homeDir: dir });
    await expect(q).rejects.toMatchObject({ code: 'ERR_MALFORMED_JSON' });
    await expect(q).rejects.not.toThrow(/secret-without-colon/);
  });
});
