/**
 * ingress-nginx's defaults where an Ingress says nothing, and its size syntax. Read from the
 * controller's `internal/ingress/controller/config/config.go` (`NewDefault`, `defaults.Backend`:
 * `ProxyBodySize` 1m, `ProxyReadTimeout` 60, `ProxyBufferSize` "4k"). The controller is the
 * cluster's, not pinned by this project: these are the long-standing defaults, not one version's.
 */
export const INGRESS_NGINX_DEFAULTS = { bodyBytes: 1024 * 1024, readTimeoutSeconds: 60, bufferBytes: 4096 } as const;

/** Bytes of an nginx size (`8m`, `16k`, `1024`). */
export function nginxSizeBytes(size: string): number {
    const m = /^(\d+)([kmg]?)$/i.exec(size.trim());
    if (!m) throw new Error(`not an nginx size: ${size}`);
    return Number(m[1]) * { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g"];
}
