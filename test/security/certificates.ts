/**
 * Self-signed certificates made with openssl at test time, in a temporary directory: no key is
 * ever committed. A self-signed certificate is its own CA, so NODE_EXTRA_CA_CERTS=<certFile>
 * is how a user would trust it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface Certificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export class CertificateDirectory {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'fpga-certs-'));
  private count = 0;

  /** A P-256 certificate valid for one day for `hosts` (DNS names or IP addresses), the first as its CN. */
  selfSigned(hosts: readonly string[]): Certificate {
    const name = `cert${this.count++}`;
    const certFile = path.join(this.dir, `${name}.pem`);
    const keyFile = path.join(this.dir, `${name}-key.pem`);
    const altNames = hosts.map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`)).join(',');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', `/CN=${hosts[0]}`, '-addext', `subjectAltName=${altNames}`, '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'ignore' });
    return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
