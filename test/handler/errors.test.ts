import { readFault, type ApiResponse } from '../../src/handler/errors';

function response(status: number, body: string, headers: ApiResponse['headers'] = {}): ApiResponse {
  return { status, body, headers };
}

describe('readFault: both Huawei error shapes and the request id', () => {
  it('reads the nested ECS shape', () => {
    expect(readFault(response(400, '{"error":{"code":"Ecs.0005","message":"request body is illegal."}}', { 'x-request-id': 'hdr' })))
      .toEqual({ status: 400, code: 'Ecs.0005', message: 'request body is illegal.', requestId: 'hdr' });
  });

  it('reads the flat gateway shape, with the request id from the body when no header has one', () => {
    expect(readFault(response(429, '{"error_msg":"throttled","error_code":"APIGW.0308","request_id":"body-id"}')))
      .toEqual({ status: 429, code: 'APIGW.0308', message: 'throttled', requestId: 'body-id' });
  });

  it('takes X-Request-Id, then X-Openstack-Request-Id, then the body', () => {
    const body = '{"error_code":"APIGW.0301","error_msg":"m","request_id":"body-id"}';
    expect(readFault(response(401, body, { 'x-request-id': 'a', 'x-openstack-request-id': 'b' })).requestId).toBe('a');
    expect(readFault(response(401, body, { 'x-openstack-request-id': 'b' })).requestId).toBe('b');
    expect(readFault(response(401, body)).requestId).toBe('body-id');
  });

  it('turns an HTML page into a short single-line excerpt', () => {
    const page = `<html>\r\n<body><h1>502 Bad Gateway</h1>\n\t${'x'.repeat(1000)}</body></html>`;
    const fault = readFault(response(502, page));
    expect(fault.code).toBeUndefined();
    expect(fault.message).toMatch(/^response body: 502 Bad Gateway x+…$/);
    expect(fault.message!.length).toBeLessThanOrEqual('response body: '.length + 160);
  });

  it('keeps control characters and newlines of an API message out of the line', () => {
    expect(readFault(response(400, '{"error":{"code":"Ecs.0000","message":"line one\\nline two\\u001b[31m"}}')).message)
      .toBe('line one line two [31m');
  });

  it('says nothing rather than something wrong for an empty body', () => {
    expect(readFault(response(503, ''))).toEqual({ status: 503, message: undefined, requestId: undefined });
  });
});
