/**
 * Skip-auth routes for oauth2-proxy. Its path patterns are Go regular expressions (RE2), which
 * have no lookahead, so "everything under /api/ except /api/auth" is spelled out character by
 * character: after the prefix, either nothing, or a string that diverges from each excluded
 * segment before it ends, or the segment followed by anything but `/`.
 */
export function prefixExcept(prefix: string, excluded: readonly string[]): string {
    if (!/^\/[a-z0-9/_-]*\/$/.test(prefix)) throw new Error(`prefix must start and end with '/': ${prefix}`);
    for (const seg of excluded) if (!/^[a-z0-9_-]+$/.test(seg)) throw new Error(`excluded segment must be a plain path segment: ${seg}`);
    if (excluded.length !== 1) throw new Error("prefixExcept supports exactly one excluded segment");
    const seg = excluded[0]!;
    const alternatives = ["$"];
    for (let i = 0; i < seg.length; i++) {
        const head = escape(seg.slice(0, i));
        alternatives.push(i === 0 ? `[^${escape(seg[0]!)}]` : `${head}(?:$|[^${escape(seg[i]!)}])`);
    }
    alternatives.push(`${escape(seg)}[^/]`);
    return `^${escape(prefix)}(?:${alternatives.join("|")})`;
}

function escape(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
}
