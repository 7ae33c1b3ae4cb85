import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Throwaway certificates for tests that serve TLS on loopback: a CA (`ca.key`, `ca.crt`) and leaf
 * certificates it signs, written into one directory with openssl, valid for two days.
 */
export class TestPki {
    constructor(
        readonly dir: string,
        private readonly openssl = "openssl",
    ) {
        fs.mkdirSync(dir, { recursive: true });
    }

    private run(args: string[]): void {
        execFileSync(this.openssl, args, { cwd: this.dir, stdio: "pipe" });
    }

    /** The CA: `ca.key` and the self-signed `ca.crt` with subject `/CN=<cn>`. */
    ca(cn: string): this {
        this.run([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", `/CN=${cn}`,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ]); // prettier-ignore
        return this;
    }

    /** `<name>.key` and `<name>.crt` for `subject`, signed by the CA, with these X.509 extensions (one per line, e.g. `subjectAltName=IP:127.0.0.1`). */
    leaf(name: string, subject: string, extensions: string): this {
        fs.writeFileSync(path.join(this.dir, `${name}.ext`), extensions);
        this.run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
        this.run([
            "x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-out", `${name}.crt`, "-extfile", `${name}.ext`,
        ]); // prettier-ignore
        return this;
    }

    /** A file of the directory, as text. */
    read(file: string): string {
        return fs.readFileSync(path.join(this.dir, file), "utf8");
    }

    path(file: string): string {
        return path.join(this.dir, file);
    }
}
