// A TCP forwarder: listens on HOST:PORT and relays every connection to TARGET_HOST:TARGET_PORT.
// A local node (hack/cluster/node.ts) reaches the loopback-only kube-apiserver through it, on the
// root side of the node's veth pair: nothing listens on any other interface.
// Either side may be a Unix socket instead (HOST `unix`, PORT its path): a socket file is seen
// from every network namespace, so two forwarders joined by one carry a loopback port into a
// namespace that has no link to this one (hack/lan/hosts.sh).
//   node hack/cluster/forward.mjs HOST PORT TARGET_HOST TARGET_PORT
import { rmSync } from 'node:fs';
import net from 'node:net';

const [host, port, targetHost, targetPort] = process.argv.slice(2);
if (!host || !port || !targetHost || !targetPort) {
  console.error(
    'usage: forward.mjs HOST PORT TARGET_HOST TARGET_PORT (HOST or TARGET_HOST unix: PORT is a path)',
  );
  process.exit(2);
}
const address = (on, at) => (on === 'unix' ? { path: at } : { host: on, port: Number(at) });
const server = net.createServer((client) => {
  const upstream = net.connect(address(targetHost, targetPort));
  client.pipe(upstream).pipe(client);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
});
if (host === 'unix') rmSync(port, { force: true });
server.listen(address(host, port), () =>
  console.log(`forwarding ${host}:${port} to ${targetHost}:${targetPort}`),
);
