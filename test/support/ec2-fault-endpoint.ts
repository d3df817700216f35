import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * An HTTP endpoint in front of the EC2 emulator that forwards every request to it, until a test
 * turns throttling on: then every request is answered as EC2 answers an account over its request
 * rate — HTTP 503 with EC2's XML error `RequestLimitExceeded` — which moto never does by itself.
 * The real SDK parses these real bytes into its real error type and applies its own retries, so
 * what the sync sees is what AWS would make it see.
 */
export interface Ec2FaultEndpoint {
  readonly endpoint: string;
  throttle(on: boolean): void;
  /** Requests answered with RequestLimitExceeded so far. */
  throttled(): number;
  close(): Promise<void>;
}

const THROTTLED_BODY = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>7c1a0e8e-throttled</RequestID></Response>`;

export async function startEc2FaultEndpoint(target: string): Promise<Ec2FaultEndpoint> {
  const upstream = new URL(target);
  let throttling = false;
  let throttledCount = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (throttling) {
      throttledCount++;
      req.resume();
      res.writeHead(503, { 'content-type': 'text/xml;charset=UTF-8' }).end(THROTTLED_BODY);
      return;
    }
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.writeHead(502).end());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    throttle: (on) => void (throttling = on),
    throttled: () => throttledCount,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
