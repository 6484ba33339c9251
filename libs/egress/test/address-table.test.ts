import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAddress, parseCidrList, checkUrl, resolveVetted, EgressDeniedError } from '../src/index.js';

// [input URL host or address, expected reason (null = allowed)]
const TABLE: Array<[string, string | null]> = [
  ['8.8.8.8', null],
  ['1.1.1.1', null],
  ['93.184.216.34', null],
  ['2606:4700:4700::1111', null],
  ['2a00:1450:4001:80b::200e', null],
  ['64:ff9b::808:808', null], // NAT64 of a public address
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.1.1', 'link_local'],
  ['169.254.169.254', 'metadata'],
  ['fd00:ec2::254', 'metadata'],
  ['fe80::1', 'link_local'],
  ['100.64.0.1', 'carrier_grade_nat'],
  ['100.127.255.254', 'carrier_grade_nat'],
  ['fc00::1', 'unique_local'],
  ['fdff:ffff::1', 'unique_local'],
  ['::ffff:127.0.0.1', 'ipv4_embedded'],
  ['::ffff:8.8.8.8', 'ipv4_embedded'],
  ['::ffff:10.0.0.1', 'ipv4_embedded'],
  ['::127.0.0.1', 'ipv4_embedded'],
  ['::a00:1', 'ipv4_embedded'],
  ['64:ff9b::7f00:1', 'ipv4_embedded'], // NAT64 of loopback
  ['64:ff9b::a9fe:a9fe', 'ipv4_embedded'], // NAT64 of metadata
  ['64:ff9b:1::a00:1', 'private'],
  ['2002:7f00:1::1', 'ipv4_embedded'], // 6to4 of loopback
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['ff02::1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.0.8', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['192.0.2.10', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['2001:db8::1', 'documentation'],
  ['2001::1', 'reserved'], // Teredo
  ['100::1', 'reserved'], // discard-only
];

for (const [addr, expected] of TABLE) {
  test(`address ${addr} -> ${expected ?? 'allowed'}`, () => {
    assert.equal(classifyAddress(addr), expected);
  });
}

// Odd encodings: the WHATWG parser canonicalizes them, then the policy applies.
const URLS: Array<[string, string]> = [
  ['https://127.1/', 'loopback'],
  ['https://0x7f.1/', 'loopback'],
  ['https://2130706433/', 'loopback'],
  ['https://0177.0.0.1/', 'loopback'],
  ['https://0x7f000001/', 'loopback'],
  ['https://[::ffff:127.0.0.1]/', 'ipv4_embedded'],
  ['https://[::ffff:7f00:1]/', 'ipv4_embedded'],
  ['https://[0:0:0:0:0:0:0:1]/', 'loopback'],
  ['https://0/', 'unspecified'],
  ['https://169.254.169.254./latest/meta-data', 'metadata'],
  ['https://0xa9fea9fe/', 'metadata'],
  ['https://012.0.0.1/', 'private'],
];
for (const [url, expected] of URLS) {
  test(`url ${url} -> ${expected}`, async () => {
    const { host } = checkUrl(url, { allowHttp: false });
    await assert.rejects(resolveVetted(host, []), (e: unknown) => e instanceof EgressDeniedError && e.reason === expected);
  });
}

test('URL policy: scheme, credentials, metadata and localhost names', () => {
  const reason = (u: string, allowHttp = false) => {
    try {
      checkUrl(u, { allowHttp });
      return null;
    } catch (e) {
      return (e as EgressDeniedError).reason;
    }
  };
  assert.equal(reason('http://example.com/'), 'scheme_not_allowed');
  assert.equal(reason('http://example.com/', true), null);
  assert.equal(reason('ftp://example.com/', true), 'scheme_not_allowed');
  assert.equal(reason('file:///etc/passwd', true), 'scheme_not_allowed');
  assert.equal(reason('https://user:pw@example.com/'), 'credentials_in_url');
  assert.equal(reason('https://user@example.com/'), 'credentials_in_url');
  assert.equal(reason('https://metadata.google.internal/computeMetadata/v1/'), 'metadata');
  assert.equal(reason('https://METADATA.google.internal./'), 'metadata');
  assert.equal(reason('https://localhost/'), 'loopback');
  assert.equal(reason('https://evil.localhost/'), 'loopback');
  assert.equal(reason('not a url'), 'invalid_url');
  assert.equal(reason('https://hooks.example.com/x'), null);
});

test('allowlist opens ranges on purpose, including the v4 inside a mapped address', () => {
  const allow = parseCidrList('127.0.0.0/8, ::1');
  assert.equal(classifyAddress('127.0.0.1', allow), null);
  assert.equal(classifyAddress('::1', allow), null);
  assert.equal(classifyAddress('::ffff:127.0.0.1', allow), null);
  assert.equal(classifyAddress('10.0.0.1', allow), 'private');
  assert.equal(classifyAddress('169.254.169.254', allow), 'metadata');
});

test('error carries only the category, never the address', () => {
  try {
    checkUrl('https://metadata.google.internal/', { allowHttp: false });
    assert.fail('expected a refusal');
  } catch (e) {
    const err = e as EgressDeniedError;
    assert.equal(err.code, 'egress_denied');
    assert.deepEqual(err.details, { reason: 'metadata' });
    assert.doesNotMatch(err.message, /google|metadata\.|169\.254/);
  }
});

test('a name resolving to a private address is refused (injected resolver)', async () => {
  const resolveAll = async () => [{ address: '10.1.2.3', family: 4 }];
  await assert.rejects(
    resolveVetted('hooks.example.com', [], resolveAll),
    (e: unknown) => e instanceof EgressDeniedError && e.reason === 'private',
  );
});

test('a mixed answer (public + private) is refused as a whole', async () => {
  const resolveAll = async () => [
    { address: '8.8.8.8', family: 4 },
    { address: '::ffff:169.254.169.254', family: 6 },
  ];
  await assert.rejects(resolveVetted('hooks.example.com', [], resolveAll), EgressDeniedError);
});

test('the system resolver: a real name that resolves to loopback is refused', async () => {
  // "localhost" resolves through the system resolver (hosts file); the name check is bypassed here on purpose.
  await assert.rejects(
    resolveVetted('localhost', []),
    (e: unknown) => e instanceof EgressDeniedError && e.reason === 'loopback',
  );
});

test('an unresolvable name is refused with its own category', async () => {
  await assert.rejects(
    resolveVetted('no-such-host.invalid', []),
    (e: unknown) => e instanceof EgressDeniedError && e.reason === 'unresolvable',
  );
});
