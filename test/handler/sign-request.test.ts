import { signedHeaders } from '../../src/handler/sign-request';
import { parseAuthorization } from '../../src/signing/sdk-hmac-sha256';

describe('signedHeaders', () => {
  const request = { method: 'DELETE', url: new URL('https://ecs.cn-north-1.myhuaweicloud.com/v1/p/x'), body: Buffer.from('{}') };
  const date = new Date(Date.UTC(2024, 0, 1));

  it('signs content-type, host and x-sdk-date', () => {
    const headers = signedHeaders(request, { accessKey: 'AK', secretKey: 'SK', source: '' }, date);
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'host': 'ecs.cn-north-1.myhuaweicloud.com', 'x-sdk-date': '20240101T000000Z' });
    expect(parseAuthorization(headers.authorization)?.signedHeaders).toEqual(['content-type', 'host', 'x-sdk-date']);
  });

  it('sends and signs x-security-token with temporary credentials', () => {
    const headers = signedHeaders(request, { accessKey: 'AK', secretKey: 'SK', securityToken: 'TOKEN', source: '' }, date);
    expect(headers['x-security-token']).toBe('TOKEN');
    expect(parseAuthorization(headers.authorization)?.signedHeaders).toEqual(['content-type', 'host', 'x-sdk-date', 'x-security-token']);
  });
});
