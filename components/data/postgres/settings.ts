import type { ConfigSecret } from "../../secrets/config-secret";
import type { Size } from "../../sizing/size";
import type { PostgresCa, SslMode } from "./tls";

/** The environment's Postgres, as the stack config resolves it. */
export type PostgresSettings =
    | {
          readonly mode: "in-cluster";
          readonly size: Size;
          readonly storage: string;
          readonly nodePort?: number;
          /** Where Pulumi's Postgres provider connects. */
          readonly adminHost: string;
          readonly adminPort: number;
          /** The server's `max_connections`, which the platform sets. */
          readonly maxConnections: number;
      }
    | {
          readonly mode: "external";
          readonly host: string;
          readonly port: number;
          readonly adminUser: string;
          readonly adminPassword: ConfigSecret;
          readonly sslMode: SslMode;
          /** Set whenever `sslMode` verifies the server. */
          readonly ca?: PostgresCa;
          /** The server's `max_connections`. */
          readonly maxConnections: number;
      };
