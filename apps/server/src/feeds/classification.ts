/**
 * Feed report types mapped to the Reference Security Incident Taxonomy (RSIT, the MISP `rsit`
 * machinetag in ../shared/reference/incident-taxonomy): taxonomy = the predicate, type = the value.
 * Shadowserver names its reports (`scan_ntp`, `event4_sinkhole_http`, `compromised_website`...);
 * rules are tried in order, the first match wins, and anything unknown is other/undetermined.
 */

export interface Classification {
  taxonomy: string;
  type: string;
}

/** Every RSIT predicate and its values, as the reference taxonomy lists them. */
export const RSIT: Readonly<Record<string, readonly string[]>> = {
  'abusive-content': ['spam', 'harmful-speech', 'violence'],
  'malicious-code': ['infected-system', 'c2-server', 'malware-distribution', 'malware-configuration'],
  'information-gathering': ['scanner', 'sniffing', 'social-engineering'],
  'intrusion-attempts': ['ids-alert', 'brute-force', 'exploit'],
  intrusions: ['privileged-account-compromise', 'unprivileged-account-compromise', 'application-compromise', 'system-compromise', 'burglary'],
  availability: ['dos', 'ddos', 'misconfiguration', 'sabotage', 'outage'],
  'information-content-security': ['unauthorised-information-access', 'unauthorised-information-modification', 'data-loss', 'data-leak'],
  fraud: ['unauthorised-use-of-resources', 'copyright', 'masquerade', 'phishing'],
  vulnerable: ['weak-crypto', 'ddos-amplifier', 'potentially-unwanted-accessible', 'information-disclosure', 'vulnerable-system'],
  other: ['other', 'undetermined'],
  test: ['test'],
};

export function isRsit(c: Classification): boolean {
  return RSIT[c.taxonomy]?.includes(c.type) ?? false;
}

const rule = (pattern: RegExp, taxonomy: string, type: string) => ({ pattern, classification: { taxonomy, type } });

// Order matters: specific names before the families they belong to.
const RULES = [
  rule(/^(scan|scan6)_(ssl_poodle|ssl_freak|ssl|tls|sslv2|ssl_.*)$/, 'vulnerable', 'weak-crypto'),
  rule(
    /^(scan|scan6)_(ntp|ntpmonitor|dns|ssdp|snmp|chargen|qotd|memcached|netbios|portmapper|mssql|ldap_udp|cldap|tftp|xdmcp|ard|coap|ws_discovery|dvr_dhcpdiscover|slp|mdns|ubiquiti|ipp)$/,
    'vulnerable',
    'ddos-amplifier',
  ),
  rule(/^(scan|scan6)_(http_vulnerable|exchange|vulnerable_.*|.*_vulnerable)$/, 'vulnerable', 'vulnerable-system'),
  rule(
    /^(scan|scan6)_(rdp|smb|telnet|vnc|ftp|mysql|postgres|mongodb|elasticsearch|redis|docker|kubernetes_api|cwmp|ssh|http_proxy|socks|ics|modbus|bacnet|ipmi|ldap_tcp|rsync|couchdb|cassandra|hadoop|db2|rdpeudp|amqp|mqtt|mqtt_anon|smtp|imap|pop3|sip|adb|afp|nat_pmp|stun|radmin|.*)$/,
    'vulnerable',
    'potentially-unwanted-accessible',
  ),
  rule(/(sinkhole|botnet_drone|drone|infected|bot)/, 'malicious-code', 'infected-system'),
  rule(/(c2|cc_ip|botnet_cc|command_and_control)/, 'malicious-code', 'c2-server'),
  rule(/(malware_url|malware_distribution|malware_download)/, 'malicious-code', 'malware-distribution'),
  rule(/(compromised_website|defacement|system_compromise)/, 'intrusions', 'system-compromise'),
  rule(/(brute_force|bruteforce)/, 'intrusion-attempts', 'brute-force'),
  rule(/(exploit|honeypot_http_scan|honeypot_exploit)/, 'intrusion-attempts', 'exploit'),
  rule(/(ddos|amplification_ddos)/, 'availability', 'ddos'),
  rule(/(phish)/, 'fraud', 'phishing'),
  rule(/(spam)/, 'abusive-content', 'spam'),
  rule(/(darknet|honeypot|scanner|scanning)/, 'information-gathering', 'scanner'),
  rule(/(spoof|masquerade)/, 'fraud', 'masquerade'),
  rule(/(leak|exposed|open_)/, 'vulnerable', 'information-disclosure'),
];

const UNDETERMINED: Classification = { taxonomy: 'other', type: 'undetermined' };
const cache = new Map<string, Classification>();

/**
 * The RSIT classification of a feed report type (lower-cased), memoised: a feed has few report types.
 * @example classifyReportType('scan_ntp') // { taxonomy: 'vulnerable', type: 'ddos-amplifier' }
 */
export function classifyReportType(reportType: string): Classification {
  const known = cache.get(reportType);
  if (known) return known;
  const name = reportType.toLowerCase();
  const found = RULES.find((r) => r.pattern.test(name))?.classification ?? UNDETERMINED;
  if (cache.size < 10_000) cache.set(reportType, found);
  return found;
}

/**
 * The report type a Shadowserver file name carries: `2026-11-26-scan_ntp-asn-jp-geo.csv` → `scan_ntp`.
 * @example reportTypeFromFileName('2026-11-26-event4_sinkhole_http-jp-geo.csv') // 'event4_sinkhole_http'
 */
export function reportTypeFromFileName(fileName: string): string | null {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.(csv|txt)(\.gz)?$/i, '');
  const match = /^(?:\d{4}-\d{2}-\d{2}-)?([a-z0-9][a-z0-9_]*)/i.exec(base);
  return match ? match[1]!.toLowerCase() : null;
}
