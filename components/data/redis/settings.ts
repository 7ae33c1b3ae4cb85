import type { ConfigSecret } from "../../secrets/config-secret";
import type { Size } from "../../sizing/size";

/** The environment's shared Redis, as the stack config resolves it. */
export type RedisSettings =
    | { readonly mode: "in-cluster"; readonly size: Size; readonly storage: string }
    | {
          readonly mode: "external";
          readonly host: string;
          readonly port: number;
          readonly tls: boolean;
          readonly adminUser: string;
          readonly adminPassword: ConfigSecret;
      };
