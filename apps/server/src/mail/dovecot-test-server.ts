import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A real IMAP server for tests: Debian's Dovecot as the test's own instance, configured from scratch in
 * a temporary directory (passwd-file auth, one maildir, no TLS), listening on 127.0.0.1 only, in the
 * foreground so it is the test's child and dies with `stop()`. Test-only.
 */

const CANDIDATES = ['/usr/sbin/dovecot', '/usr/bin/dovecot'];
export const dovecotPath = CANDIDATES.find((candidate) => fs.existsSync(candidate)) ?? null;

export interface DovecotServer {
  port: number;
  user: string;
  password: string;
  /** `imap://user:password@127.0.0.1:port/INBOX?starttls=none` */
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000);
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString('latin1'));
    });
    socket.once('timeout', () => socket.destroy(new Error('no greeting')));
    socket.once('error', reject);
  });
}

/** Starts Dovecot on a free loopback port with one user whose INBOX is an empty maildir. */
export async function startDovecot(): Promise<DovecotServer> {
  if (!dovecotPath) throw new Error('Dovecot is not installed (apt-get install dovecot-imapd)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-dovecot-'));
  const root = process.getuid?.() === 0;
  // Dovecot never serves mail as UID 0; as root the mail belongs to nobody and its helpers run as the package's users.
  const mailUser = root ? { uid: 65534, gid: 65534 } : { uid: process.getuid!(), gid: process.getgid!() };
  const self = os.userInfo().username;
  const internalUser = root ? 'dovecot' : self;
  const loginUser = root ? 'dovenull' : self;
  fs.chmodSync(dir, 0o755);
  const mailDir = path.join(dir, 'mail');
  fs.mkdirSync(mailDir, { mode: 0o700 });
  if (root) fs.chownSync(mailDir, mailUser.uid, mailUser.gid);
  const user = 'intake';
  const password = 'imap-test-password';
  fs.writeFileSync(path.join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  const port = await freePort();
  const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${internalUser}
default_internal_group = ${root ? 'dovecot' : self}
default_login_user = ${loginUser}
first_valid_uid = ${Math.min(mailUser.uid, 1)}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUser.uid} gid=${mailUser.gid} home=${mailDir}/%u
}
mail_location = maildir:${mailDir}/%u/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
  const configFile = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(configFile, config, { mode: 0o644 });
  const child: ChildProcess = spawn(dovecotPath, ['-F', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const stop = async (): Promise<void> => {
    if (running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const until = Date.now() + 15_000;
  for (;;) {
    if (!running) {
      const log = fs.existsSync(path.join(dir, 'dovecot.log')) ? fs.readFileSync(path.join(dir, 'dovecot.log'), 'utf8') : '';
      await stop();
      throw new Error(`Dovecot exited at start: ${stderr}${log}`.slice(0, 2000));
    }
    const text = await greeting(port).catch(() => null);
    if (text?.startsWith('* OK')) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`Dovecot did not answer on 127.0.0.1:${port}: ${stderr}`.slice(0, 2000));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port, user, password, url: `imap://${user}:${password}@127.0.0.1:${port}/INBOX?starttls=none`, stop };
}
