import { createHmac } from "node:crypto";

/**
 * Derivation of many independent secrets from one random seed: counter-mode HMAC-SHA256 keyed by
 * the seed, with the purpose as label (as HKDF-Expand does). Knowing one derived secret reveals
 * nothing about the seed or any other; the same seed and label always give the same secret.
 */
function stream(seedHex: string, label: string, bytes: number): Buffer {
    if (!/^[0-9a-f]{64,}$/.test(seedHex)) throw new Error("a seed must be at least 32 bytes of hex");
    const blocks: Buffer[] = [];
    for (let i = 0; Buffer.concat(blocks).length < bytes; i++)
        blocks.push(createHmac("sha256", Buffer.from(seedHex, "hex")).update(`${label}\u0000${i}`).digest());
    return Buffer.concat(blocks);
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** An alphanumeric secret (no character any URL, DSN or `user:password` parser trips on), unbiased. */
export function derivePassword(seedHex: string, label: string, length: number): string {
    let out = "";
    for (let round = 0; out.length < length; round++) {
        for (const b of stream(seedHex, `${label}/password/${round}`, length * 2)) {
            if (b < 248 && out.length < length) out += ALNUM[b % 62];
        }
    }
    return out;
}

/** `bytes` random bytes as hex. */
export function deriveHex(seedHex: string, label: string, bytes: number): string {
    return stream(seedHex, `${label}/hex`, bytes).subarray(0, bytes).toString("hex");
}

/** A version-4-formatted UUID. */
export function deriveUuid(seedHex: string, label: string): string {
    const b = stream(seedHex, `${label}/uuid`, 16).subarray(0, 16);
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = b.toString("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
