/// <reference path="../src/handler/undici.d.ts" />
/**
 * The least a program that sends one request with undici can do, as the handler uses it: undici's
 * Client alone (not the package's index), one GET to FPGA_ASSOC_ENDPOINT, the answer read, the
 * client closed. handler-run bundles and minifies it as esbuild does the handler. With
 * BENCH_LIFTOFF_ONLY=1 it sets `--liftoff-only` before the request, as the handler does.
 */
import { setFlagsFromString } from 'node:v8';
import Client from 'undici/lib/dispatcher/client';

const url = new URL('/v1/floor', process.env.FPGA_ASSOC_ENDPOINT);
const client = new Client(url.origin);
if (process.env.BENCH_LIFTOFF_ONLY === '1') setFlagsFromString('--liftoff-only');
client.dispatch({ origin: url.origin, method: 'GET', path: url.pathname }, {
  onRequestStart: () => undefined,
  onResponseEnd: () => void client.close(),
  onResponseError: (_, error) => {
    process.exitCode = 1;
    process.stderr.write(`${error.message}\n`);
    void client.close();
  },
});
