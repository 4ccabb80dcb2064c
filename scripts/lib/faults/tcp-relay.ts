/**
 * A TCP relay on a fixed port in front of a server (the mail catcher's SMTP): `down()` closes
 * the port and cuts every open connection, as a relay that dies does; `up()` listens again on
 * the same port. The worker only ever knows the relay's address.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpRelay {
  readonly port: number;
  readonly isUp: boolean;
  up(): Promise<void>;
  down(): Promise<void>;
}

export function tcpRelay(port: number, target: { host: string; port: number }): TcpRelay {
  let server: Server | undefined;
  const open = new Set<Socket>();

  const accept = (client: Socket): void => {
    const upstream = createConnection(target);
    open.add(client);
    open.add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  return {
    port,
    get isUp() {
      return server !== undefined;
    },
    async up() {
      if (server) return;
      const listening = createServer(accept);
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, '127.0.0.1', () => resolve());
      });
      server = listening;
    },
    async down() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      for (const socket of open) socket.destroy();
      open.clear();
      await closed;
    },
  };
}
