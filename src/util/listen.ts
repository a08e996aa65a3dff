import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where a server listens: its port and its base URL (an IPv6 host in brackets). */
export interface Listening {
  port: number;
  url: string;
}

/** Listen (port 0: any free port; loopback by default) and resolve once bound; a bind error rejects. */
export async function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const name = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { port: address.port, url: `http://${name}:${address.port}` };
}
