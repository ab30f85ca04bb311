import { describe, expect, it } from 'vitest';
import { RSIT, classifyReportType, isRsit, reportTypeFromFileName } from './classification.ts';
import { numberArray, textArray } from './event-batch.ts';
import { csvCell } from '../kernel/csv.ts';
import { renderXarf } from './notification-render.ts';
import { parseFeedTime } from './row-mapper.ts';

describe('feed units', () => {
  it('Should classify Shadowserver report types into RSIT classes, unknown ones as other/undetermined', () => {
    expect(classifyReportType('scan_ntp')).toEqual({ taxonomy: 'vulnerable', type: 'ddos-amplifier' });
    expect(classifyReportType('scan_ssl_poodle')).toEqual({ taxonomy: 'vulnerable', type: 'weak-crypto' });
    expect(classifyReportType('scan_rdp')).toEqual({ taxonomy: 'vulnerable', type: 'potentially-unwanted-accessible' });
    expect(classifyReportType('event4_sinkhole_http')).toEqual({ taxonomy: 'malicious-code', type: 'infected-system' });
    expect(classifyReportType('compromised_website')).toEqual({ taxonomy: 'intrusions', type: 'system-compromise' });
    expect(classifyReportType('event4_honeypot_brute_force')).toEqual({ taxonomy: 'intrusion-attempts', type: 'brute-force' });
    expect(classifyReportType('something_new')).toEqual({ taxonomy: 'other', type: 'undetermined' });
    for (const name of ['scan_ntp', 'blocklist', 'phish_url', 'event4_ddos_participant', 'event4_honeypot_darknet'])
      expect(isRsit(classifyReportType(name)), name).toBe(true);
    expect(Object.keys(RSIT)).toHaveLength(11);
  });

  it('Should read the report type from Shadowserver file names', () => {
    expect(reportTypeFromFileName('/in/2026-11-26-scan_ntp-asn-jp-geo.csv')).toBe('scan_ntp');
    expect(reportTypeFromFileName('2026-11-26-event4_sinkhole_http-jp.csv.gz')).toBe('event4_sinkhole_http');
    expect(reportTypeFromFileName('-.csv')).toBeNull();
  });

  it('Should read feed timestamps in UTC, with offsets and epoch seconds, and refuse the rest', () => {
    expect(parseFeedTime('2026-11-26 01:02:03')).toBe(Date.UTC(2026, 10, 26, 1, 2, 3));
    expect(parseFeedTime('2026-11-26T01:02:03.5Z')).toBe(Date.UTC(2026, 10, 26, 1, 2, 3, 500));
    expect(parseFeedTime('2026-11-26T10:02:03+09:00')).toBe(Date.UTC(2026, 10, 26, 1, 2, 3));
    expect(parseFeedTime('1764118923')).toBe(1764118923000);
    for (const bad of ['', 'yesterday', '2026-13-01 00:00:00', '2026-11-26 25:00:00', '2026-11-26 01:02:03 junk', 'x'.repeat(1000)])
      expect(parseFeedTime(bad), bad).toBeNaN();
  });

  it('Should write array literals PostgreSQL reads back exactly, and neutralise formulas in CSV cells', () => {
    expect(textArray(['a', null, 'b"c', 'd\\e', '', 'NULL', 'x,y', '{z}'])).toBe('{a,NULL,"b\\"c","d\\\\e","","NULL","x,y","{z}"}');
    expect(numberArray([1, null, 2.5])).toBe('{1,NULL,2.5}');
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', 'plain', 'a,b'].map(csvCell)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", 'plain', '"a,b"']);
  });

  it('Should write X-ARF values as quoted scalars no feed text can break out of', () => {
    const yaml = renderXarf(
      [
        {
          observedAt: new Date(0),
          ip: '192.0.2.1',
          port: 80,
          protocol: 'tcp\nCategory: evil',
          hostname: '"><script>',
          tag: null,
          asn: null,
          country: null,
          reportType: 'scan_http',
          taxonomy: 'vulnerable',
          type: 'vulnerable-system',
          extra: null,
        },
      ],
      'team@example',
    );
    expect(yaml).toContain('Service: "tcp\\nCategory: evil"');
    expect(yaml.split('\n').filter((l) => l.startsWith('Category:'))).toEqual(['Category: "info"']);
  });
});
