import * as fs from "node:fs";
import * as path from "node:path";
import { freePort } from "../../support/servers";
import { run, startServer, waitFor } from "./processes";
import { TestPki } from "../../support/pki";

/**
 * A Kubernetes control plane on loopback, from the toolchain's binaries: etcd, kube-apiserver
 * (RBAC, Pod Security admission, every default admission plugin), kube-controller-manager,
 * kube-scheduler, and kwok driving one fake node. Nothing listens beyond 127.0.0.1; certificates
 * and service-account keys are made fresh for each run.
 */
export interface Cluster {
    readonly kubeconfig: string;
    /** `https://127.0.0.1:<port>` */
    readonly server: string;
    /** kubectl with this cluster's kubeconfig; returns stdout, throws on failure. */
    kubectl(args: string[], input?: string): string;
    /** kubectl's JSON output, parsed. */
    kubectlJson<T = KubeObject>(args: string[]): T;
    readonly logDir: string;
}

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        uid?: string;
        creationTimestamp?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        ownerReferences?: { kind: string; name: string; uid: string }[];
        deletionTimestamp?: string;
    };
    spec?: Record<string, unknown>;
    status?: Record<string, unknown>;
}

export interface KubeList<T = KubeObject> {
    items: T[];
}

/** The fake node's name and the annotation kwok manages it by. */
export const NODE_NAME = "e2e-kwok-node";
const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";
/** Persistent volumes pre-created for claims to bind to (no provisioner runs under kwok). */
const VOLUME_COUNT = 80;

const SCRIPTS = path.resolve(__dirname, "../../../scripts/e2e");

/** A CA, the API server's serving certificate, one admin client certificate, and service-account keys. */
function makeCertificates(dir: string): void {
    const pki = new TestPki(dir).ca("e2e-ca");
    pki.leaf(
        "apiserver",
        "/CN=kube-apiserver",
        "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n",
    );
    // One identity in system:masters for the controllers, kwok, kubectl and Pulumi: the e2e tests
    // the program and admission, not RBAC between the cluster's own components.
    pki.leaf(
        "admin",
        "/O=system:masters/CN=e2e-admin",
        "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n",
    );
    run("openssl", ["genrsa", "-out", "sa.key", "2048"], { cwd: dir });
    run("openssl", ["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], { cwd: dir });
}

function kubeconfigYaml(dir: string, server: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: e2e",
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority: ${path.join(dir, "ca.crt")}`,
        "users:",
        "- name: e2e-admin",
        "  user:",
        `    client-certificate: ${path.join(dir, "admin.crt")}`,
        `    client-key: ${path.join(dir, "admin.key")}`,
        "contexts:",
        "- name: e2e",
        "  context: {cluster: e2e, user: e2e-admin}",
        "current-context: e2e",
        "",
    ].join("\n");
}

export interface ClusterBinaries {
    readonly etcd: string;
    readonly kubeApiserver: string;
    readonly kubeControllerManager: string;
    readonly kubeScheduler: string;
    readonly kwok: string;
    readonly kubectl: string;
}

/** Starts the control plane in `dir` (certificates, data, logs) and waits until the node is Ready. */
export async function startCluster(bin: ClusterBinaries, dir: string): Promise<Cluster> {
    const pki = path.join(dir, "pki");
    const logDir = path.join(dir, "logs");
    fs.mkdirSync(pki, { recursive: true });
    fs.mkdirSync(logDir, { recursive: true });
    makeCertificates(pki);

    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = startServer(
        "etcd",
        bin.etcd,
        [
            "--name=e2e",
            `--data-dir=${path.join(dir, "etcd")}`,
            `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
            `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
            "--listen-metrics-urls=",
            // Throwaway data: skip fsync, it only slows a laptop down.
            "--unsafe-no-fsync",
            "--quota-backend-bytes=2147483648",
            "--log-level=warn",
        ],
        { logDir },
    );
    await waitFor("etcd to serve", async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok, {
        timeoutMs: 30_000,
        log: etcd.log,
    });

    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = startServer(
        "kube-apiserver",
        bin.kubeApiserver,
        [
            `--etcd-servers=http://127.0.0.1:${etcdClient}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${apiPort}`,
            `--tls-cert-file=${path.join(pki, "apiserver.crt")}`,
            `--tls-private-key-file=${path.join(pki, "apiserver.key")}`,
            `--client-ca-file=${path.join(pki, "ca.crt")}`,
            `--service-account-key-file=${path.join(pki, "sa.pub")}`,
            `--service-account-signing-key-file=${path.join(pki, "sa.key")}`,
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-cluster-ip-range=10.96.0.0/16",
            "--authorization-mode=Node,RBAC",
            // PodSecurity is on by default in current releases; naming it makes the e2e fail loudly if it were not.
            "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota,PodSecurity",
            "--profiling=false",
            "--v=1",
        ],
        { logDir },
    );
    const pkiDir = pki;
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfig, kubeconfigYaml(pkiDir, server));
    const kubectl = (args: string[], input?: string) => run(bin.kubectl, [`--kubeconfig=${kubeconfig}`, ...args], { input });
    await waitFor("kube-apiserver to become ready", () => kubectl(["get", "--raw=/readyz"]).trim() === "ok", {
        timeoutMs: 90_000,
        log: apiserver.log,
        intervalMs: 500,
    });

    const common = [`--kubeconfig=${kubeconfig}`, "--leader-elect=false", "--secure-port=0"];
    startServer(
        "kube-controller-manager",
        bin.kubeControllerManager,
        [
            ...common,
            `--authentication-kubeconfig=${kubeconfig}`,
            `--authorization-kubeconfig=${kubeconfig}`,
            `--service-account-private-key-file=${path.join(pki, "sa.key")}`,
            `--root-ca-file=${path.join(pki, "ca.crt")}`,
            "--use-service-account-credentials=false",
            "--controllers=*",
            // React quickly: the e2e waits on every controller it relies on.
            "--concurrent-deployment-syncs=10",
            "--concurrent-replicaset-syncs=10",
            "--concurrent-statefulset-syncs=10",
            "--concurrent-job-syncs=10",
            "--v=1",
        ],
        { logDir },
    );
    startServer(
        "kube-scheduler",
        bin.kubeScheduler,
        [...common, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`, "--v=1"],
        { logDir },
    );
    const kwok = startServer(
        "kwok",
        bin.kwok,
        [
            `--kubeconfig=${kubeconfig}`,
            `--config=${path.join(SCRIPTS, "kwok", "stages.yaml")}`,
            `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
            "--cidr=10.244.0.0/16",
            "--node-ip=10.0.0.10",
        ],
        { logDir },
    );

    kubectl(["apply", "-f", "-"], clusterFixtures());
    await waitFor(
        `node ${NODE_NAME} to become Ready (kwok's node-initialize stage)`,
        () => {
            const node = JSON.parse(kubectl(["get", "node", NODE_NAME, "-o", "json"])) as KubeObject;
            const conditions = (node.status?.["conditions"] ?? []) as { type: string; status: string }[];
            return conditions.some((c) => c.type === "Ready" && c.status === "True");
        },
        { timeoutMs: 60_000, log: kwok.log, intervalMs: 500 },
    );
    // Pods are admitted only once their namespace's default ServiceAccount exists.
    await waitFor(
        "the default ServiceAccount (kube-controller-manager)",
        () => kubectl(["get", "serviceaccount", "default", "-n", "default", "-o", "name"]).trim() !== "",
        {
            timeoutMs: 60_000,
            log: path.join(logDir, "kube-controller-manager.log"),
        },
    );

    return {
        kubeconfig,
        server,
        logDir,
        kubectl,
        kubectlJson: <T>(args: string[]) => JSON.parse(kubectl([...args, "-o", "json"])) as T,
    };
}

/**
 * What a real cluster would have before the platform is deployed: the fake node (annotated for
 * kwok), a default StorageClass with pre-created volumes for claims to bind to (the real PV
 * controller binds them; nothing provisions under kwok), and the namespace and CRDs of the Kong
 * Ingress Controller that tenants' Kong consumers and plugins need.
 */
function clusterFixtures(): string {
    const docs: string[] = [
        `apiVersion: v1
kind: Node
metadata:
  name: ${NODE_NAME}
  annotations:
    ${KWOK_NODE_ANNOTATION}: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: ${NODE_NAME}
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
spec: {}`,
        // Kong's namespace: the Kong Ingress Controller is installed apart from the platform, which
        // declares tenants' KongConsumers and KongPlugins there.
        `apiVersion: v1
kind: Namespace
metadata:
  name: kong`,
        `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: e2e-local
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/no-provisioner
reclaimPolicy: Retain
volumeBindingMode: Immediate`,
    ];
    for (let i = 0; i < VOLUME_COUNT; i++) {
        docs.push(`apiVersion: v1
kind: PersistentVolume
metadata:
  name: e2e-volume-${String(i).padStart(2, "0")}
spec:
  capacity: {storage: 1Ti}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: e2e-local
  hostPath: {path: /tmp/e2e-volume-${i}, type: DirectoryOrCreate}`);
    }
    for (const [kind, plural] of [
        ["KongConsumer", "kongconsumers"],
        ["KongPlugin", "kongplugins"],
    ] as const) {
        docs.push(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.configuration.konghq.com
spec:
  group: configuration.konghq.com
  scope: Namespaced
  names: {kind: ${kind}, plural: ${plural}, singular: ${kind.toLowerCase()}, listKind: ${kind}List}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true`);
    }
    return docs.join("\n---\n") + "\n";
}
