/**
 * ingress-nginx's defaults where an Ingress says nothing (docs/user-guide/nginx-configuration:
 * `proxy-body-size` 1m, `proxy-read-timeout` 60, `proxy-buffer-size` 4k), and its size syntax.
 */
export const INGRESS_NGINX_DEFAULTS = { bodyBytes: 1024 * 1024, readTimeoutSeconds: 60, bufferBytes: 4096 } as const;

/** Bytes of an nginx size (`8m`, `16k`, `1024`). */
export function nginxSizeBytes(size: string): number {
    const m = /^(\d+)([kmg]?)$/i.exec(size.trim());
    if (!m) throw new Error(`not an nginx size: ${size}`);
    return Number(m[1]) * { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g"];
}
