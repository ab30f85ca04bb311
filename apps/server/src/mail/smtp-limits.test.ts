import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailHarness, startMailHarness } from './mail-test-kit.ts';
import { type SmtpListener, startSmtpListener } from './smtp-listener.ts';

let h: MailHarness;
let listener: SmtpListener;

beforeAll(async () => {
  h = await startMailHarness();
  listener = await startSmtpListener(h.t.services.mail, { host: '127.0.0.1', port: 0, maxClientsPerAddress: 3, socketTimeoutSeconds: 1 });
});
afterAll(async () => {
  await listener.close();
  await h.close();
});

interface Client {
  socket: net.Socket;
  greeting: Promise<string>;
  closed: Promise<void>;
}

function connect(): Client {
  const socket = net.connect(listener.port, '127.0.0.1');
  const greeting = new Promise<string>((resolve, reject) => {
    socket.once('data', (data) => resolve(data.toString('latin1')));
    socket.once('error', reject);
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, greeting, closed };
}

describe('SMTP connection limits', () => {
  it('Should refuse a client its connections past the per-address cap with 421, and take it again once one closes', async () => {
    const clients = [connect(), connect(), connect()];
    for (const client of clients) expect(await client.greeting).toMatch(/^220 /);
    const extra = connect();
    expect(await extra.greeting).toMatch(/^421 4\.7\.0 Too many connections/);
    await extra.closed;
    clients[0]!.socket.end('QUIT\r\n');
    await clients[0]!.closed;
    const again = connect();
    expect(await again.greeting).toMatch(/^220 /);
    for (const client of [...clients.slice(1), again]) client.socket.destroy();
  });

  it('Should drop a client that says nothing, and one that stops before DATA', async () => {
    const silent = connect();
    expect(await silent.greeting).toMatch(/^220 /);
    const chatty = connect();
    expect(await chatty.greeting).toMatch(/^220 /);
    chatty.socket.write('EHLO client.example\r\n');
    const started = Date.now();
    await Promise.all([silent.closed, chatty.closed]);
    // Dropped by the 1-second idle limit, not by anything in the test.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
