import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import { HttpRequestBuilder } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequestBuilder';
import { formatSdkDate, parseAuthorization, parseSdkDate, sha256Hex, sign } from '../../src/signing/sdk-hmac-sha256';

/**
 * The one signer against the published vectors (reference §3.4) and against Huawei's own Node.js
 * signer, which is what the API gateway is known to accept.
 */

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('(A) the API signing guide\'s vector', () => {
  const credentials = { accessKey: 'QTWAOYTTINDUT2QVKYUC', secretKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
  const result = sign({
    method: 'GET',
    url: 'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
    headers: { 'Content-Type': 'application/json', 'Host': 'service.region.example.com', 'X-Sdk-Date': '20191115T033655Z' },
  }, credentials);

  it('builds the canonical request of the guide', () => {
    expect(result.canonicalRequest).toBe([
      'GET',
      '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
      'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
      'content-type:application/json',
      'host:service.region.example.com',
      'x-sdk-date:20191115T033655Z',
      '',
      'content-type;host;x-sdk-date',
      EMPTY_SHA256,
    ].join('\n'));
    expect(sha256Hex(result.canonicalRequest)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
  });

  it('builds the string to sign, the signature and the Authorization header of the guide', () => {
    expect(result.stringToSign).toBe('SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    expect(result.signature).toBe('7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe');
    expect(result.authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, '
      + 'Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });
});

describe('(B) the Go SDK\'s unit-test vectors (only x-sdk-date signed)', () => {
  const credentials = { accessKey: 'AccessKey', secretKey: 'SecretKey' };
  const headers = { 'X-Sdk-Date': '20060102T150405Z' };

  it('test1: GET /path?limit=1, no body', () => {
    const result = sign({ method: 'GET', url: 'https://example.huaweicloud.com/path?limit=1', headers }, credentials);

    expect(result.canonicalRequest).toBe(`GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n${EMPTY_SHA256}`);
    expect(result.signature).toBe('5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624');
  });

  it('test2: POST /path?key=value, a JSON body with the trailing newline of Go\'s json.Encoder', () => {
    const body = '{"Name":"test","Id":1}\n';
    const result = sign({ method: 'POST', url: 'https://example.huaweicloud.com/path?key=value', headers, body }, credentials);

    expect(sha256Hex(body)).toBe('a29d7b4c5efd1a22011d69fd7b7aee76fe51e4083c609244228de258afd61289');
    expect(result.signature).toBe('cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59');
  });

  it('canonicalises a query with reserved characters and a repeated key as the Go SDK does', () => {
    const query = 'test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29&path=%2Ftmp%2F123&multi=3&multi=1&multi=2&limit=1&enable=true';
    const result = sign({ method: 'GET', url: `https://example.huaweicloud.com/path?${query}`, headers }, credentials);

    expect(result.canonicalRequest.split('\n')[2]).toBe(
      'enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29',
    );
  });
});

describe('(C) our own calls, computed with two independent implementations', () => {
  const credentials = { accessKey: 'QTWAOYTTINDUT2QVKYUC', secretKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
  const origin = 'https://ecs.cn-north-1.myhuaweicloud.com';
  const association = `${origin}/v1/0123456789abcdef0123456789abcdef/cloudservers/fpga_image/4010a32b5f231f04015f24259efd0429/association`;
  const body = '{"image":{"id":"18efee75-e058-4c52-a49c-9e3ba4d1c8de"}}';
  const headers = { 'content-type': 'application/json', 'host': 'ecs.cn-north-1.myhuaweicloud.com', 'x-sdk-date': '20191115T033655Z' };

  it('hashes the association body', () => {
    expect(sha256Hex(body)).toBe('4c28d515c53c64ed8393bbc9c4e0d2b70fc5686a78692cdfb33c85bc38f7e4c7');
  });

  it('DELETE association with its JSON body', () => {
    const result = sign({ method: 'DELETE', url: association, headers, body }, credentials);

    expect(result.canonicalRequest.split('\n').slice(0, 3)).toEqual([
      'DELETE',
      '/v1/0123456789abcdef0123456789abcdef/cloudservers/fpga_image/4010a32b5f231f04015f24259efd0429/association/',
      '',
    ]);
    expect(sha256Hex(result.canonicalRequest)).toBe('9c3bc4fc8be7dc8120d5f09d541a60b4bc3a6a50e085a52d447bfa9698aa2456');
    expect(result.signature).toBe('88cfe5a68a8aa285a4bd01b32d528c87f7aee0919bf9411f19aac0fc5f9b6172');
  });

  it('DELETE association with X-Project-Id signed too', () => {
    const result = sign({
      method: 'DELETE',
      url: association,
      headers: { ...headers, 'x-project-id': '0123456789abcdef0123456789abcdef' },
      body,
    }, credentials);

    expect(sha256Hex(result.canonicalRequest)).toBe('5d13374d0b84eadacbdb3709a424efa8e4e7474c53d486cd3e17c7afe8c83c64');
    expect(result.signature).toBe('7280390e8b2fc3a2f99f517562d7c8be4ed4fb7a17e655c510edc932a80119a9');
  });

  it('POST association', () => {
    expect(sign({ method: 'POST', url: association, headers, body }, credentials).signature)
      .toBe('49e7facfa8fcdcd1f0399af2ed976a70d8c158142a426f0cc31cac3695836a33');
  });

  it('GET associations of an FPGA image', () => {
    const url = `${origin}/v1/0123456789abcdef0123456789abcdef/cloudservers/fpga_image/associations?fpga_image_id=4010a32b5f231f04015f24259efd0429`;
    expect(sign({ method: 'GET', url, headers }, credentials).signature)
      .toBe('c62f709d5d10d841e377572514f3d1d565cca095f4973e7d5d80c7834473171e');
  });
});

describe('agrees with the official Node.js SDK signer (AKSKSigner)', () => {
  const ak = 'EXAMPLEACCESSKEY0000';
  const sk = 'example-secret-key-for-the-cross-check';
  const sdkDate = '20240229T235959Z';

  interface Case {
    readonly method: string;
    readonly origin: string;
    readonly path: string;
    /** As the SDK takes them: decoded values, a list for a repeated key. */
    readonly query?: Record<string, string | string[]>;
    readonly data?: object;
    readonly securityToken?: string;
  }

  /** The query string we would send: RFC 3986 encoding, %20 for a space. */
  function encodeQuery(query: Record<string, string | string[]>): string {
    const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    return Object.entries(query)
      .flatMap(([key, values]) => [values].flat().map((value) => `${encode(key)}=${encode(value)}`))
      .join('&');
  }

  /** The Authorization header AKSKSigner produces, with the request built the way the SDK's HcClient builds it. */
  function officialAuthorization(c: Case): string {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Sdk-Date': sdkDate };
    if (c.securityToken) headers['X-Security-Token'] = c.securityToken;
    const request = new HttpRequestBuilder()
      .withEndpoint(`${c.origin}${c.path}`)
      .withMethod(c.method)
      .withQueryParams(c.query ?? {})
      .withHeaders(headers)
      .withData(c.data)
      .build();
    const credentials = new BasicCredentials().withAk(ak).withSk(sk);
    return (AKSKSigner.sign(request, credentials) as { Authorization: string }).Authorization;
  }

  function ourAuthorization(c: Case): string {
    const query = c.query ? `?${encodeQuery(c.query)}` : '';
    const url = new URL(`${c.origin}${c.path}${query}`);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'host': url.host, 'x-sdk-date': sdkDate };
    if (c.securityToken) headers['x-security-token'] = c.securityToken;
    const body = c.data === undefined ? undefined : JSON.stringify(c.data);
    return sign({ method: c.method, url: url.href, headers, body }, { accessKey: ak, secretKey: sk }).authorization;
  }

  const project = '/v1/0123456789abcdef0123456789abcdef/cloudservers/fpga_image';
  const cases: Array<[string, Case]> = [
    ['POST with a JSON body', { method: 'POST', origin: 'https://ecs.cn-north-1.myhuaweicloud.com', path: `${project}/4010a32b5f231f04015f24259efd0429/association`, data: { image: { id: '18efee75-e058-4c52-a49c-9e3ba4d1c8de' } } }],
    ['DELETE with a JSON body', { method: 'DELETE', origin: 'https://ecs.cn-east-2.myhuaweicloud.com', path: `${project}/4010a32b5f231f04015f24259efd0429/association`, data: { image: { id: '18efee75-e058-4c52-a49c-9e3ba4d1c8de' } } }],
    ['GET with both query parameters', { method: 'GET', origin: 'https://ecs.cn-south-1.myhuaweicloud.com', path: `${project}/associations`, query: { image_id: '18efee75-e058-4c52-a49c-9e3ba4d1c8de', fpga_image_id: '4010a32b5f231f04015f24259efd0429' } }],
    ['GET with reserved characters, unicode and a repeated key in the query', { method: 'GET', origin: 'https://example.huaweicloud.com', path: '/path', query: { 'test': '一 (&=?!#%.*)', 'path': '/tmp/123', 'multi': ['3', '1', '2'], 'a b': "it's ~ok_-." } }],
    ['a loopback endpoint with a port', { method: 'GET', origin: 'http://127.0.0.1:8080', path: `${project}/associations`, query: { fpga_image_id: '4010a32b5f231f04015f24259efd0429' } }],
    ['temporary credentials: X-Security-Token signed', { method: 'DELETE', origin: 'https://ecs.cn-north-1.myhuaweicloud.com', path: `${project}/4010a32b5f231f04015f24259efd0429/association`, data: { image: { id: '18efee75-e058-4c52-a49c-9e3ba4d1c8de' } }, securityToken: 'gQpjbi1ub3J0aC0x-example-token' }],
  ];

  it.each(cases)('%s', (_, c) => {
    const official = officialAuthorization(c);
    expect(official).toMatch(/^SDK-HMAC-SHA256 Access=EXAMPLEACCESSKEY0000, SignedHeaders=content-type;host;x-sdk-date(;x-security-token)?, Signature=[0-9a-f]{64}$/);
    expect(ourAuthorization(c)).toBe(official);
  });
});

describe('helpers', () => {
  it('formats and parses X-Sdk-Date', () => {
    const date = new Date(Date.UTC(2019, 10, 15, 3, 36, 55, 789));
    expect(formatSdkDate(date)).toBe('20191115T033655Z');
    expect(parseSdkDate('20191115T033655Z')?.toISOString()).toBe('2019-11-15T03:36:55.000Z');
    expect(parseSdkDate('2019-11-15T03:36:55Z')).toBeUndefined();
  });

  it('reads back the Authorization header it writes', () => {
    expect(parseAuthorization(`SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=${'a'.repeat(64)}`))
      .toEqual({ accessKey: 'AK', signedHeaders: ['host', 'x-sdk-date'], signature: 'a'.repeat(64) });
    expect(parseAuthorization('SDK-HMAC-SHA256 Credential=AK/20191115/cn-north-1/ecs/sdk_request, SignedHeaders=host, Signature=x')).toBeUndefined();
  });

  it('refuses to sign without x-sdk-date', () => {
    expect(() => sign({ method: 'GET', url: 'https://example.com/', headers: { host: 'example.com' } }, { accessKey: 'a', secretKey: 'b' }))
      .toThrow('needs the x-sdk-date header');
  });
});
