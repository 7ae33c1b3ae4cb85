/**
 * Just enough protobuf for OTLP/HTTP traces (opentelemetry-proto trace/v1 and
 * collector/trace/v1): encodes an ExportTraceServiceRequest the way Kong's opentelemetry plugin
 * sends one (resource attributes, one scope, spans with ids, name and times) and reads back the
 * resource attributes and span names of a request a collector exported.
 */

function varint(n: number | bigint): Buffer {
    let v = BigInt(n);
    const out: number[] = [];
    while (v >= 0x80n) {
        out.push(Number((v & 0x7fn) | 0x80n));
        v >>= 7n;
    }
    out.push(Number(v));
    return Buffer.from(out);
}

const tag = (field: number, wire: number) => varint((field << 3) | wire);
const bytes = (field: number, value: Buffer) => Buffer.concat([tag(field, 2), varint(value.length), value]);
const str = (field: number, value: string) => bytes(field, Buffer.from(value, "utf8"));
const fixed64 = (field: number, value: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(value);
    return Buffer.concat([tag(field, 1), b]);
};

export interface OtlpSpan {
    readonly traceId: Buffer; // 16 bytes
    readonly spanId: Buffer; // 8 bytes
    readonly name: string;
    readonly startNs: bigint;
    readonly endNs: bigint;
}

/** ExportTraceServiceRequest { resource_spans: [{ resource: { attributes }, scope_spans: [{ scope, spans }] }] }. */
export function encodeTraces(resourceAttributes: Record<string, string>, scope: string, spans: readonly OtlpSpan[]): Buffer {
    const kv = (k: string, v: string) => bytes(1, Buffer.concat([str(1, k), bytes(2, str(1, v))]));
    const resource = Buffer.concat(Object.entries(resourceAttributes).map(([k, v]) => kv(k, v)));
    const span = (s: OtlpSpan) =>
        bytes(
            2,
            Buffer.concat([
                bytes(1, s.traceId),
                bytes(2, s.spanId),
                str(5, s.name),
                tag(6, 0),
                varint(2 /* SERVER */),
                fixed64(7, s.startNs),
                fixed64(8, s.endNs),
            ]),
        );
    const scopeSpans = bytes(2, Buffer.concat([bytes(1, str(1, scope)), ...spans.map(span)]));
    return bytes(1, Buffer.concat([bytes(1, resource), scopeSpans]));
}

type Fields = Map<number, Array<Buffer | bigint>>;

function decode(buf: Buffer): Fields {
    const fields: Fields = new Map();
    let i = 0;
    const readVarint = () => {
        let result = 0n;
        let shift = 0n;
        for (;;) {
            const b = buf[i++]!;
            result |= BigInt(b & 0x7f) << shift;
            if (b < 0x80) return result;
            shift += 7n;
        }
    };
    while (i < buf.length) {
        const key = Number(readVarint());
        const field = key >> 3;
        const wire = key & 7;
        let value: Buffer | bigint;
        if (wire === 0) value = readVarint();
        else if (wire === 1) {
            value = buf.readBigUInt64LE(i);
            i += 8;
        } else if (wire === 5) {
            value = BigInt(buf.readUInt32LE(i));
            i += 4;
        } else if (wire === 2) {
            const len = Number(readVarint());
            value = buf.subarray(i, i + len);
            i += len;
        } else throw new Error(`unsupported wire type ${wire}`);
        fields.set(field, [...(fields.get(field) ?? []), value]);
    }
    return fields;
}

const messages = (f: Fields, n: number) => (f.get(n) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v)).map(decode);
const text = (f: Fields, n: number) => {
    const v = f.get(n)?.[0];
    return Buffer.isBuffer(v) ? v.toString("utf8") : undefined;
};

export interface ReceivedResourceSpans {
    readonly attributes: Record<string, string>;
    readonly spanNames: string[];
}

/** The resource attributes (string values) and span names of an ExportTraceServiceRequest. */
export function decodeTraces(body: Buffer): ReceivedResourceSpans[] {
    return messages(decode(body), 1).map((rs) => {
        const attributes: Record<string, string> = {};
        for (const resource of messages(rs, 1)) {
            for (const kv of messages(resource, 1)) {
                const value = messages(kv, 2)[0];
                const s = value ? text(value, 1) : undefined;
                if (s !== undefined) attributes[text(kv, 1)!] = s;
            }
        }
        const spanNames = messages(rs, 2).flatMap((ss) => messages(ss, 2).map((span) => text(span, 5)!));
        return { attributes, spanNames };
    });
}
