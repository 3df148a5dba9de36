/** Manifests of the end-to-end tests: proxyless workloads in two namespaces and the policies each test applies. */

/** The proxyless workloads: shop/orders (the server, on `port`), shop/frontend, shop/reporter and other/intruder. */
export function workloads(port: number): string {
  const client = (namespace: string, name: string): string => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  template:
    metadata:
      labels: { app: ${name} }
      annotations: { aspen.dev/proxyless: "true" }
    spec:
      serviceAccountName: ${name}
      containers: [{ name: app, image: example/${name} }]
`;
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: orders, namespace: shop }
spec:
  template:
    metadata:
      labels: { app: orders }
      annotations: { aspen.dev/proxyless: "true", aspen.dev/addresses: "127.0.0.1" }
    spec:
      serviceAccountName: orders
      containers: [{ name: app, image: example/orders, ports: [{ name: grpc, containerPort: ${port} }] }]
---
apiVersion: v1
kind: Service
metadata: { name: orders, namespace: shop }
spec:
  selector: { app: orders }
  ports: [{ name: grpc, port: ${port}, targetPort: ${port} }]
${client('shop', 'frontend')}${client('shop', 'reporter')}${client('other', 'intruder')}`;
}

/** An ApiSecurityPolicy on shop/orders with the given spec lines (indented under `spec:`). */
export function policy(name: string, spec: string): string {
  return `---
apiVersion: aspen.dev/v1alpha1
kind: ApiSecurityPolicy
metadata: { name: ${name}, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
${spec}`;
}
