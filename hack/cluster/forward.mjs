// A TCP forwarder: listens on HOST:PORT and relays every connection to TARGET_HOST:TARGET_PORT.
// A local node (hack/cluster/node.ts) reaches the loopback-only kube-apiserver through it, on the
// root side of the node's veth pair: nothing listens on any other interface.
//   node hack/cluster/forward.mjs HOST PORT TARGET_HOST TARGET_PORT
import net from 'node:net';

const [host, port, targetHost, targetPort] = process.argv.slice(2);
if (!host || !port || !targetHost || !targetPort) {
  console.error('usage: forward.mjs HOST PORT TARGET_HOST TARGET_PORT');
  process.exit(2);
}
const server = net.createServer((client) => {
  const upstream = net.connect(Number(targetPort), targetHost);
  client.pipe(upstream).pipe(client);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
});
server.listen(Number(port), host, () =>
  console.log(`forwarding ${host}:${port} to ${targetHost}:${targetPort}`),
);
