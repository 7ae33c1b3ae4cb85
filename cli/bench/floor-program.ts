import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * The benchmark's floor: the same number of the most trivial resources (Kubernetes Namespaces,
 * one small object each) declared under the same runtime, so the program's time can be read as a
 * ratio to what the Pulumi SDK itself costs per resource.
 */
export = async () => {
    const config = new pulumi.Config();
    const count = config.requireNumber("floorResources");
    // Declared in batches the size of one tenant, yielding between them, as the program does.
    const batch = config.getNumber("floorBatch") ?? count;
    for (let i = 0; i < count; i++) {
        new k8s.core.v1.Namespace(`ns-${i}`, { metadata: { name: `ns-${i}`, labels: { "app.kubernetes.io/managed-by": "pulumi" } } });
        if ((i + 1) % batch === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return { count };
};
