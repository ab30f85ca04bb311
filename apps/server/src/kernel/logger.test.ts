import { describe, expect, it } from 'vitest';
import { createLogger, readableLine } from './logger.ts';

function capture(isTTY?: boolean) {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line), ...(isTTY === undefined ? {} : { isTTY }) } };
}

describe('the logger', () => {
  it('Should write one JSON object per line when the destination is not a terminal, with level, time, name, component and fields', () => {
    const { lines, destination } = capture(false);
    const log = createLogger({ level: 'info', name: 'renkei', destination });
    log.child({ component: 'jobs' }).warn({ id: 'j1', attempt: 2 }, 'job attempt failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toEqual({
      level: 40,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      name: 'renkei',
      component: 'jobs',
      id: 'j1',
      attempt: 2,
      msg: 'job attempt failed',
    });
  });

  it('Should drop lines below its level, and say nothing at all when silent', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'warn', name: 'renkei', destination });
    log.debug('debug');
    log.info('info');
    log.warn('warn');
    log.error('error');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['warn', 'error']);
    const quiet = capture();
    createLogger({ level: 'silent', name: 'renkei', destination: quiet.destination }).fatal('fatal');
    expect(quiet.lines).toEqual([]);
  });

  it('Should never write authorization, cookie, CSRF token or password values', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', name: 'renkei', destination });
    log.info(
      {
        req: {
          method: 'GET',
          headers: { authorization: 'Bearer rk_secret1', cookie: 'renkei_session=secret2', 'x-csrf-token': 'secret3', accept: 'text/html' },
        },
        headers: { authorization: 'Basic secret4', cookie: 'a=secret5' },
        authorization: 'Bearer secret6',
        user: { email: 'a@example.jp', password: 'secret7' },
      },
      'request',
    );
    expect(lines[0]).not.toMatch(/secret\d/);
    const entry = JSON.parse(lines[0]!) as { req: { headers: Record<string, string> }; user: Record<string, string> };
    expect(entry.req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]', 'x-csrf-token': '[redacted]', accept: 'text/html' });
    expect(entry.user).toEqual({ email: 'a@example.jp', password: '[redacted]' });
  });

  it('Should write readable lines to a terminal: time, level, component, message, fields, then the stack of an error', () => {
    const { lines, destination } = capture(true);
    const log = createLogger({ level: 'info', name: 'renkei', destination });
    log.child({ component: 'smtp' }).info({ id: 'm1', subject: 'two words' }, 'stored inbound message');
    log.error({ err: new Error('boom') }, 'request failed');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}smtp: stored inbound message id=m1 subject="two words"\n$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR request failed\n {4}Error: boom\n\s+at /);
    expect(lines.join('')).not.toContain('{"');
  });

  it('Should pass a line that is not JSON through unchanged', () => {
    expect(readableLine('plain text\n')).toBe('plain text\n');
  });
});
