import { describe, expect, it } from "vitest";
import {
    ACME_HTTP01_SOLVER_PORT,
    allowAcmeHttp01Solvers,
    allowDns,
    allowEgressTo,
    allowEgressToInternet,
    defaultDeny,
    namespacePeer,
    originPort,
    tcp,
} from "../../components/kube/network";
import { inCidr } from "../support/netpol";

describe("egress rules", () => {
    it("let pods reach the internet on the given ports but none of the private ranges other tenants live in (RFC 1918, link-local)", () => {
        const spec = allowEgressToInternet(tcp(5432));
        const block = (spec.egress as any[])[0].to[0].ipBlock as { cidr: string; except: string[] };
        const reaches = (ip: string) => inCidr(ip, block.cidr) && !block.except.some((c) => inCidr(ip, c));
        for (const ip of ["52.29.1.10", "8.8.8.8", "172.32.0.1", "192.169.0.1"]) expect(reaches(ip), ip).toBe(true);
        for (const ip of ["10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.1.1", "169.254.169.254"])
            expect(reaches(ip), ip).toBe(false);
        expect((spec.egress as any[])[0].ports).toEqual([{ protocol: "TCP", port: 5432 }]);
        expect(spec.podSelector).toEqual({});
        expect(allowEgressToInternet(tcp(443), { app: "x" }).podSelector).toEqual({ matchLabels: { app: "x" } });
    });

    it("allow DNS over UDP and TCP to kube-dns and to each resolver block given", () => {
        const spec = allowDns(["169.254.20.10/32"]);
        const rule = (spec.egress as any[])[0];
        expect(rule.ports).toEqual([
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ]);
        expect(rule.to).toEqual([namespacePeer("kube-system", { "k8s-app": "kube-dns" }), { ipBlock: { cidr: "169.254.20.10/32" } }]);
        expect((allowDns().egress as any[])[0].to).toHaveLength(1);
    });

    it("select peers by the immutable namespace name label, and deny both directions by default", () => {
        expect(namespacePeer("kong")).toEqual({
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kong" } },
            podSelector: undefined,
        });
        expect(defaultDeny()).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(allowEgressTo([namespacePeer("a")], tcp(1, 2))).toMatchObject({
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ ports: [{ port: 1 }, { port: 2 }] }],
        });
    });

    it("admit the ingress controller to cert-manager's HTTP-01 solver port only", () => {
        const spec = allowAcmeHttp01Solvers("ingress-nginx");
        expect(spec.ingress).toEqual([
            { from: [namespacePeer("ingress-nginx")], ports: [{ protocol: "TCP", port: ACME_HTTP01_SOLVER_PORT }] },
        ]);
        expect(ACME_HTTP01_SOLVER_PORT).toBe(8089);
    });

    it.each([
        ["https://auth.example.com", 443],
        ["http://auth.example.com", 80],
        ["https://auth.example.com:8443/oidc", 8443],
    ])("take the port of %s as %i", (origin, port) => expect(originPort(origin)).toBe(port));
});
