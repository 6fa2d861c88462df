import { createServer } from 'node:http';

/**
 * The bench's baseline: a bare node HTTP server answering the two exchanges of a console turn —
 * `POST /v1/messages` with 202 JSON and the run's event stream with one SSE `end` — and nothing
 * else. Run as its own process so its CPU and memory are read from /proc like the daemon's;
 * prints `listening on <url>` once bound.
 */
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'POST') {
      res
        .writeHead(202, { 'content-type': 'application/json' })
        .end(JSON.stringify({ session_id: 'x', run_id: 'y' }));
    } else {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      res.end('event: end\ndata: {"state":"succeeded"}\n\n');
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
