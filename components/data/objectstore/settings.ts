import type { ConfigSecret } from "../../secrets/config-secret";
import type { Size } from "../../sizing/size";

/** The environment's object store, as the stack config resolves it. */
export type ObjectStoreSettings =
    | {
          readonly mode: "in-cluster";
          readonly size: Size;
          readonly storage: string;
          readonly nodePort?: number;
          /** Where Pulumi's MinIO provider connects (host:port). */
          readonly adminEndpoint: string;
          /** Public S3 origin (an Ingress on its host) that presigned URLs are signed for. */
          readonly publicEndpoint: string;
      }
    | {
          readonly mode: "external";
          readonly endpoint: string;
          readonly ssl: boolean;
          readonly region: string;
          readonly adminUser: string;
          readonly adminPassword: ConfigSecret;
          /** S3 origin browsers and SDKs reach; presigned URLs are signed for it. */
          readonly publicEndpoint: string;
      };
