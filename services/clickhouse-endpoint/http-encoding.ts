/**
 * HTTP compression as ClickHouse's HTTP interface negotiates it: with `enable_http_compression=1`
 * the response is compressed in the first method the client's Accept-Encoding allows (a weight of
 * zero refuses); request bodies are decoded from their Content-Encoding.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { lz4FrameDecode, lz4FrameEncode } from './lz4-frame.ts';

export type HttpEncoding = 'zstd' | 'br' | 'lz4' | 'gzip' | 'deflate';

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);
const brotli = promisify(zlib.brotliCompress);
const zstd = promisify(zlib.zstdCompress);
const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const unbrotli = promisify(zlib.brotliDecompress);
const unzstd = promisify(zlib.zstdDecompress);

/** In the server's order of preference. */
const ENCODE: Record<HttpEncoding, (body: Buffer) => Promise<Buffer>> = {
  zstd: (body) => zstd(body),
  br: (body) => brotli(body),
  lz4: async (body) => lz4FrameEncode(body),
  gzip: (body) => gzip(body),
  deflate: (body) => deflate(body),
};

const DECODE: Record<HttpEncoding, (body: Buffer, maxBytes: number) => Promise<Buffer>> = {
  zstd: (body, maxBytes) => unzstd(body, { maxOutputLength: maxBytes }),
  br: (body, maxBytes) => unbrotli(body, { maxOutputLength: maxBytes }),
  lz4: async (body, maxBytes) => lz4FrameDecode(body, maxBytes),
  gzip: (body, maxBytes) => gunzip(body, { maxOutputLength: maxBytes }),
  deflate: (body, maxBytes) => inflate(body, { maxOutputLength: maxBytes }),
};

const isEncoding = (name: string): name is HttpEncoding => Object.hasOwn(ENCODE, name);

/** The encoding to answer in, or null for none. */
export function chooseResponseEncoding(acceptEncoding: string | string[] | undefined): HttpEncoding | null {
  const accepted = new Set(
    String(acceptEncoding ?? '')
      .split(',')
      .map((entry) => entry.trim().toLowerCase().split(';'))
      .filter(([, weight]) => weight === undefined || !/^\s*q=0(\.0*)?\s*$/.test(weight))
      .map(([name]) => name!.trim()),
  );
  return (Object.keys(ENCODE) as HttpEncoding[]).find((name) => accepted.has(name)) ?? null;
}

export function encodeResponse(encoding: HttpEncoding, body: Buffer): Promise<Buffer> {
  return ENCODE[encoding](body);
}

/** Decodes a request body; throws for an unknown encoding or a body that decodes past `maxBytes`. */
export async function decodeRequestBody(contentEncoding: string, body: Buffer, maxBytes: number): Promise<Buffer> {
  const name = contentEncoding.trim().toLowerCase();
  if (name === '' || name === 'identity') return body;
  if (!isEncoding(name)) throw new UnknownEncodingError(name);
  return DECODE[name](body, maxBytes);
}

export class UnknownEncodingError extends Error {
  constructor(encoding: string) {
    super(`Unknown HTTP compression method ${JSON.stringify(encoding.slice(0, 40))}`);
  }
}
