// The benchmark's receiver in its own process (so the publisher's work does not delay it): answers 204 at once,
// records the first arrival time of each webhook-id, and sends them to the parent on request (IPC).
import http from 'node:http';

const firstSeen = new Map<string, number>();
let requests = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    requests++;
    const id = String(req.headers['webhook-id']);
    if (!firstSeen.has(id)) firstSeen.set(id, performance.timeOrigin + performance.now());
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
process.on('message', (m: { dump?: string[] }) => {
  if (m.dump) process.send!({ requests, seen: m.dump.map((id) => firstSeen.get(id) ?? null) });
});
process.on('disconnect', () => process.exit(0));
