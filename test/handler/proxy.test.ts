import { exemptFromProxy, parseProxy, proxyFor } from '../../src/handler/proxy';

/** Which proxy applies, and how NO_PROXY and the URL are read. The traffic itself is tested in test/security/proxy.test.ts. */

describe('exemptFromProxy (NO_PROXY, curl\'s rules)', () => {
  it.each([
    ['*', 'ecs.cn-north-1.myhuaweicloud.com'],
    ['myhuaweicloud.com', 'ecs.cn-north-1.myhuaweicloud.com'],
    ['.myhuaweicloud.com', 'ecs.cn-north-1.myhuaweicloud.com'],
    ['*.myhuaweicloud.com', 'ecs.cn-north-1.myhuaweicloud.com'],
    ['ECS.CN-NORTH-1.MYHUAWEICLOUD.COM', 'ecs.cn-north-1.myhuaweicloud.com'],
    ['myhuaweicloud.com.', 'ecs.cn-north-1.myhuaweicloud.com'],
    [' internal.corp , myhuaweicloud.com ', 'ecs.cn-north-1.myhuaweicloud.com'],
    ['10.1.2.3', '10.1.2.3'],
    ['10.0.0.0/8', '10.1.2.3'],
    ['::1', '[::1]'],
    ['[0:0::1]', '[::1]'],
    ['fd00::/8', '[fd12::5]'],
  ])('%j exempts %s', (noProxy, host) => {
    expect(exemptFromProxy(noProxy, host)).toBe(true);
  });

  it.each([
    ['', 'ecs.cn-north-1.myhuaweicloud.com'],
    [',,', 'ecs.cn-north-1.myhuaweicloud.com'],
    ['huaweicloud.com', 'ecs.cn-north-1.myhuaweicloud.com'],
    ['cn-north-1', 'ecs.cn-north-1.myhuaweicloud.com'],
    ['ecs.cn-north-1.myhuaweicloud.com.cn', 'ecs.cn-north-1.myhuaweicloud.com'],
    ['*.', 'ecs.cn-north-1.myhuaweicloud.com'],
    ['10.0.0.0/8', '11.1.2.3'],
    ['10.0.0.0/99', '10.1.2.3'],
    ['10.0.0.0/8', 'ten.example'],
    ['10.1.2.3', '10.1.2.4'],
    ['fd00::/8', '10.1.2.3'],
  ])('%j does not exempt %s', (noProxy, host) => {
    expect(exemptFromProxy(noProxy, host)).toBe(false);
  });
});

describe('parseProxy', () => {
  it('takes the credentials out of the URL into a Basic header, percent-decoded, and never shows them', () => {
    const { proxy } = parseProxy('HTTPS_PROXY', 'http://us%40er:p%3Ass@proxy.corp:3128');
    expect(proxy).toEqual({
      origin: 'http://proxy.corp:3128',
      authorization: `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`,
      password: 'p:ss',
    });
  });

  it('defaults to http://; an IPv6 proxy keeps its brackets in the origin', () => {
    expect(parseProxy('HTTPS_PROXY', 'proxy.corp').proxy).toEqual({ origin: 'http://proxy.corp' });
    expect(parseProxy('HTTPS_PROXY', 'http://[::1]:3128/').proxy).toEqual({ origin: 'http://[::1]:3128' });
  });

  it.each([
    ['https://u:secret-pw@proxy.corp:3128', '"https" proxies are not supported'],
    ['socks5h://u:secret-pw@proxy.corp:1080', '"socks5h" proxies are not supported'],
    ['http://u:secret-pw@proxy.corp:3128/path', 'a proxy at "http://proxy.corp:3128" takes no path or query'],
    ['http://u:secret-pw@proxy.corp:3128/?x=1', 'takes no path or query'],
    ['http://u:secret-pw@proxy corp:3128', 'it is not a URL (not shown: it may hold a password)'],
    ['http://u:secret-pw%@proxy.corp:3128', 'it is not a URL'],
  ])('refuses %s, naming the variable, never the password', (value, message) => {
    const { proxy, error } = parseProxy('HTTPS_PROXY', value);
    expect(proxy).toBeUndefined();
    expect(error).toMatch(/^invalid HTTPS_PROXY: /);
    expect(error).toContain(message);
    expect(error).not.toContain('secret-pw');
  });
});

describe('proxyFor', () => {
  const variables = {
    https: { name: 'HTTPS_PROXY', value: 'http://secure-proxy:3128' },
    http: { name: 'http_proxy', value: 'http://plain-proxy:3128' },
  };
  const huawei = new URL('https://ecs.cn-north-1.myhuaweicloud.com');

  it('the scheme picks the variable', () => {
    expect(proxyFor(huawei, variables).proxy?.origin).toBe('http://secure-proxy:3128');
    expect(proxyFor(new URL('http://127.0.0.1:8080'), { ...variables, loopback: '1' }).proxy?.origin).toBe('http://plain-proxy:3128');
    expect(proxyFor(huawei, { http: variables.http })).toEqual({});
  });

  it('loopback hosts go direct unless FPGA_ASSOC_PROXY_LOOPBACK is 1', () => {
    for (const origin of ['https://localhost:8443', 'https://127.0.0.2', 'https://[::1]:8443']) {
      expect(proxyFor(new URL(origin), variables)).toEqual({});
      expect(proxyFor(new URL(origin), { ...variables, loopback: '0' })).toEqual({});
      expect(proxyFor(new URL(origin), { ...variables, loopback: '1' }).proxy?.origin).toBe('http://secure-proxy:3128');
    }
    expect(proxyFor(huawei, { ...variables, loopback: 'true' }).error).toBe(
      'invalid FPGA_ASSOC_PROXY_LOOPBACK "true": expected 1 (loopback endpoints use the proxy too) or 0 (the default: they never do)',
    );
  });

  it('NO_PROXY exempts before the proxy URL is even read', () => {
    expect(proxyFor(huawei, { https: { name: 'HTTPS_PROXY', value: 'socks5://x' }, noProxy: '.myhuaweicloud.com' })).toEqual({});
    expect(proxyFor(huawei, { https: { name: 'HTTPS_PROXY', value: 'socks5://x' } }).error).toContain('invalid HTTPS_PROXY');
  });
});
