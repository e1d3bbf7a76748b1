import { createServer } from 'node:net';
import { SluiceError } from '../core/errors.js';

/**
 * `port` on `host` if it is free, or (with `port` 0) a free port the system picks. Known before
 * the project is opened, so the links the pipeline writes (reports, approvals) carry it.
 */
export function freePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new SluiceError('DEMO_PORT_IN_USE', `port ${port} on ${host} is in use`, { hint: 'pass another port with --port N, or --port 0 for any free one' })
          : e,
      );
    });
    srv.listen(port, host, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : port;
      srv.close(() => resolve(got));
    });
  });
}
