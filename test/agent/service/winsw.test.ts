// The WinSW 1.17 configuration, parsed by Python's xml.etree and checked against what WinSW 1.17 documents (the
// README of tag v1.17 of github.com/winsw/winsw, "Configuration File Syntax" and "Logging"): only documented
// element names, documented values for startmode, priority, log mode and onfailure actions, durations in the
// syntax of its ServiceDescriptor.ParseTimeSpan, and <service> as the document's first node (WinSW reads
// <stoptimeout> and <resetfailure> under dom.FirstChild). WinSW itself needs Windows and .NET: not run here.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RESTART_DELAYS_SECONDS, SERVICE_HOST_EXE, parseWinswStatus, winswExeConfig, winswHost, winswXml } from '../../../agent/src/service/winsw.js';
import { installPaths } from '../../../agent/src/service/paths.js';

interface XmlNode {
  tag: string;
  attrib: Record<string, string>;
  text: string;
  children: XmlNode[];
}

const ETREE = `
import sys, json, xml.etree.ElementTree as ET
def node(e):
    return {"tag": e.tag, "attrib": e.attrib, "text": (e.text or "").strip(), "children": [node(c) for c in e]}
print(json.dumps(node(ET.fromstring(sys.stdin.read()))))
`;
const parse = (xml: string): XmlNode => JSON.parse(execFileSync('python3', ['-c', ETREE], { input: xml, encoding: 'utf8' })) as XmlNode;

/** Elements the v1.17 README documents under <service>, and under <log> and <serviceaccount>. */
const DOCUMENTED = new Set([
  'id',
  'name',
  'description',
  'executable',
  'startmode',
  'depend',
  'logpath',
  'logmode',
  'argument',
  'arguments',
  'startargument',
  'stopargument',
  'stopexecutable',
  'stoptimeout',
  'env',
  'interactive',
  'beeponshutdown',
  'download',
  'log',
  'workingdirectory',
  'onfailure',
  'resetfailure',
  'serviceaccount',
  'priority',
  'stopparentprocessfirst',
]);
const DOCUMENTED_IN_LOG = new Set(['sizeThreshold', 'keepFiles', 'pattern']);

/** WinSW 1.17 ServiceDescriptor.ParseTimeSpan: the first suffix (in this order) the text ends with, else ms. */
function winswTimeSpanMs(text: string): number {
  const suffixes: [string, number][] = [
    ['ms', 1],
    ['sec', 1e3],
    ['secs', 1e3],
    ['min', 6e4],
    ['mins', 6e4],
    ['hr', 36e5],
    ['hrs', 36e5],
    ['hour', 36e5],
    ['hours', 36e5],
    ['day', 864e5],
    ['days', 864e5],
  ];
  const v = text.trim();
  const match = suffixes.find(([s]) => v.endsWith(s));
  const digits = match ? v.slice(0, v.length - match[0].length).trim() : v;
  if (!/^\d+$/.test(digits)) throw new Error(`WinSW cannot parse the duration "${text}"`);
  return Number(digits) * (match ? match[1] : 1);
}

const input = {
  id: 'watchpost-agent',
  name: 'Watchpost agent',
  description: 'Watchpost endpoint monitoring agent',
  executable: 'C:\\Program Files\\Watchpost\\watchpost-agent.exe',
  stateDir: 'C:\\ProgramData\\Watchpost',
  logDir: 'C:\\ProgramData\\Watchpost\\logs',
};

describe('winswXml', () => {
  const xml = winswXml(input);
  const root = parse(xml);
  const one = (tag: string) => {
    const found = root.children.filter((c) => c.tag === tag);
    expect(found, tag).toHaveLength(1);
    return found[0]!;
  };

  it('starts with <service>: no declaration or comment before it', () => {
    expect(xml.startsWith('<service>\n')).toBe(true);
    expect(root.tag).toBe('service');
  });

  it('uses only elements WinSW 1.17 documents', () => {
    for (const child of root.children) expect(DOCUMENTED.has(child.tag), child.tag).toBe(true);
    for (const child of one('log').children) expect(DOCUMENTED_IN_LOG.has(child.tag), child.tag).toBe(true);
    expect(root.children.some((c) => c.tag === 'serviceaccount')).toBe(false); // LocalSystem, WinSW's default
  });

  it('has the service identity, the command and its environment', () => {
    expect([one('id').text, one('name').text, one('description').text]).toEqual([input.id, input.name, input.description]);
    expect(one('executable').text).toBe(input.executable);
    expect(root.children.filter((c) => c.tag === 'argument').map((c) => c.text)).toEqual(['run']);
    expect(one('env').attrib).toEqual({ name: 'WATCHPOST_STATE_DIR', value: input.stateDir });
    expect(one('workingdirectory').text).toBe(input.stateDir);
  });

  it('starts automatically at below-normal priority, restarts on failure with growing delays, resets after an hour', () => {
    expect(['Boot', 'System', 'Automatic', 'Manual']).toContain(one('startmode').text);
    expect(one('startmode').text).toBe('Automatic');
    expect(['idle', 'belownormal', 'normal', 'abovenormal', 'high', 'realtime']).toContain(one('priority').text);
    const failures = root.children.filter((c) => c.tag === 'onfailure');
    expect(failures.map((f) => f.attrib.action)).toEqual(['restart', 'restart', 'restart']);
    expect(failures.map((f) => winswTimeSpanMs(f.attrib.delay!))).toEqual(RESTART_DELAYS_SECONDS.map((s) => s * 1000));
    expect(winswTimeSpanMs(one('resetfailure').text)).toBe(3_600_000);
    expect(winswTimeSpanMs(one('stoptimeout').text)).toBe(30_000);
  });

  it('rolls its logs by size in the state directory', () => {
    expect(one('logpath').text).toBe(input.logDir);
    const log = one('log');
    expect(log.attrib).toEqual({ mode: 'roll-by-size' });
    expect(Object.fromEntries(log.children.map((c) => [c.tag, Number(c.text)]))).toEqual({ sizeThreshold: 10_240, keepFiles: 8 });
  });

  it.each([
    ['XML specials', 'D:\\R&D <"it\'s">\\watchpost-agent.exe'],
    ['non-ASCII', 'C:\\Programme\\Überwachung 監視\\watchpost-agent.exe'],
  ])('values survive escaping: %s', (_what, text) => {
    const parsed = parse(winswXml({ ...input, executable: text, stateDir: text }));
    expect(parsed.children.find((c) => c.tag === 'executable')!.text).toBe(text);
    expect(parsed.children.find((c) => c.tag === 'env')!.attrib.value).toBe(text);
  });

  it.each([
    ['a % (WinSW would expand it)', { stateDir: 'C:\\%TEMP%\\x' }, 'contains %'],
    ['a control character', { description: 'a\u0007b' }, 'cannot be written'],
  ])('refuses %s', (_what, change, message) => {
    expect(() => winswXml({ ...input, ...change })).toThrow(message);
  });
});

describe('the rest of the Windows service definition', () => {
  it('the .exe.config lets .NET 4 host WinSW and skips the online publisher check (README ".NET runtime 4.0+")', () => {
    const config = parse(winswExeConfig());
    expect(config.tag).toBe('configuration');
    const startup = config.children.find((c) => c.tag === 'startup')!;
    expect(startup.children.map((c) => c.attrib.version)).toEqual(['v2.0.50727', 'v4.0']);
    const runtime = config.children.find((c) => c.tag === 'runtime')!;
    expect(runtime.children).toEqual([{ tag: 'generatePublisherEvidence', attrib: { enabled: 'false' }, text: '', children: [] }]);
  });

  it('install puts WinSW (copied from beside the agent), its config and its XML beside the agent executable', () => {
    const paths = installPaths('win32', { ProgramFiles: 'C:\\Program Files', ProgramData: 'C:\\ProgramData' });
    const files = winswHost.files(paths, 'C:\\Users\\Admin\\AppData\\Local\\Temp\\watchpost-1');
    expect(files.map((f) => f.path)).toEqual([
      'C:\\Program Files\\Watchpost\\watchpost-agent-service.exe',
      'C:\\Program Files\\Watchpost\\watchpost-agent-service.exe.config',
      'C:\\Program Files\\Watchpost\\watchpost-agent-service.xml',
    ]);
    expect(files[0]).toEqual({ path: files[0]!.path, copyOf: `C:\\Users\\Admin\\AppData\\Local\\Temp\\watchpost-1\\${SERVICE_HOST_EXE}` });
    expect(files[2]).toEqual({
      path: paths.serviceFile,
      text: winswXml({ ...input, description: "Watchpost endpoint monitoring agent: reports this machine to the MSP's collector" }),
    });
    expect(winswHost.filePaths(paths)).toEqual(files.map((f) => f.path));
  });

  it.each([
    ['Started\r\n', 'Started'],
    ['Stopped\r\n', 'Stopped'],
    ['NonExistent\r\n', 'NonExistent'],
    ['Starting\r\n', undefined],
    ['', undefined],
  ])('status output %j (README "Available commands": one line) is %s', (stdout, expected) => {
    expect(parseWinswStatus(stdout)).toBe(expected);
  });
});
