// `pwpolicy -getaccountpolicies` (macOS) -> the global account policy. It prints a banner line ("Getting global
// account policies") and the policies as an XML property list: categories (policyCategoryPasswordContent,
// policyCategoryAuthentication, policyCategoryPasswordChange) holding policies, each a policyContent expression
// and, for the ones set by `pwpolicy -setaccountpolicies` or a configuration profile, policyParameters. What is
// read: the `.{N,}` length of a content expression and the documented parameter names below. A stock Mac carries
// one policy, Apple's `com.apple.defaultpasswordpolicy.fde` (4 characters).
import { COMPLEXITY_CLASSES, type PasswordPolicy } from './policy.js';

export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decode = (text: string): string =>
  text.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-f]+|#\d+);/gi, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e.toLowerCase()]!,
  );

/** A property list's XML (its `<plist>` element; what precedes it is ignored) as plain values. Dates and data stay
 *  text. Throws on anything that is not a well-formed plist. */
export function parsePlistXml(xml: string): PlistValue {
  const start = xml.indexOf('<plist');
  if (start === -1) throw new Error('no <plist> element');
  const tags = /<(\/?)(dict|array|key|string|integer|real|true|false|date|data|plist)(?:\s[^>]*)?(\/?)>/g;
  tags.lastIndex = start;
  const next = (): RegExpExecArray => {
    const m = tags.exec(xml);
    if (!m) throw new Error('unexpected end of the plist');
    return m;
  };
  const text = (name: string): string => {
    const from = tags.lastIndex;
    const end = xml.indexOf(`</${name}>`, from);
    if (end === -1) throw new Error(`unclosed <${name}>`);
    tags.lastIndex = end + name.length + 3;
    return decode(xml.slice(from, end));
  };
  const value = (m: RegExpExecArray): PlistValue => {
    const [, closing, name, selfClosing] = m;
    if (closing) throw new Error(`unexpected </${name}>`);
    if (name === 'true' || name === 'false') return name === 'true';
    if (selfClosing) return name === 'dict' ? {} : name === 'array' ? [] : '';
    if (name === 'string' || name === 'date' || name === 'data') return text(name);
    if (name === 'integer' || name === 'real') return Number(text(name).trim());
    if (name === 'array') {
      const items: PlistValue[] = [];
      for (let t = next(); !(t[1] && t[2] === 'array'); t = next()) items.push(value(t));
      return items;
    }
    if (name === 'dict') {
      const dict: Record<string, PlistValue> = {};
      for (let t = next(); !(t[1] && t[2] === 'dict'); t = next()) {
        if (t[2] !== 'key' || t[1]) throw new Error(`expected <key> in a dict, found <${t[1]}${t[2]}>`);
        dict[text('key')] = value(next());
      }
      return dict;
    }
    throw new Error(`unexpected <${name}>`);
  };
  const root = next();
  if (root[2] !== 'plist' || root[3]) return {};
  return value(next());
}

/** Parameter names, as `pwpolicy -setaccountpolicies` files and configuration profiles write them. */
const LENGTH_PARAMETERS = ['minimumLength', 'minLength', 'minChars'];
const HISTORY = 'policyAttributePasswordHistoryDepth';
const MAX_AGE_PARAMETERS = ['policyAttributeExpiresEveryNDays', 'policyAttributeDaysUntilExpiration'];
const MAX_FAILED = 'policyAttributeMaximumFailedAuthentications';
const AUTO_UNLOCK = 'autoEnableInSeconds';
/** Parameters that require a character class: digits, symbols, letters, and mixed case (upper and lower: two). */
const DIGITS = 'minimumNumericCharacters';
const SYMBOLS = 'minimumSymbols';
const LETTERS = 'minimumAlphaCharacters';
const MIXED_CASE = 'minimumMixedCaseCharacters';

type Dict = Record<string, PlistValue>;
const isDict = (v: PlistValue | undefined): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every policy of every category, with its parameters. */
function policies(root: PlistValue): { content: string; parameters: Dict }[] {
  if (!isDict(root)) return [];
  return Object.entries(root)
    .filter(([category]) => category.startsWith('policyCategory'))
    .flatMap(([, list]) => (Array.isArray(list) ? list : []))
    .filter(isDict)
    .map((p) => ({ content: typeof p.policyContent === 'string' ? p.policyContent : '', parameters: isDict(p.policyParameters) ? p.policyParameters : {} }));
}

const numbers = (all: readonly Dict[], names: readonly string[]): number[] =>
  all.flatMap((p) => names.map((n) => p[n]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));

/** Character classes one policy's parameters require. */
function classes(parameters: Dict): number {
  const required = (name: string): boolean => numbers([parameters], [name]).some((n) => n > 0);
  const letters = required(MIXED_CASE) ? 2 : required(LETTERS) ? 1 : 0;
  return letters + (required(DIGITS) ? 1 : 0) + (required(SYMBOLS) ? 1 : 0);
}

/** The policy `pwpolicy -getaccountpolicies` printed. Output without a property list (no policies) is an empty
 *  policy. Where several policies say something, the strictest holds: a password must satisfy every one. */
export function pwpolicyPolicy(output: string): PasswordPolicy {
  const all = output.includes('<plist') ? policies(parsePlistXml(output)) : [];
  const parameters = all.map((p) => p.parameters);
  const lengths = [
    ...all.flatMap((p) => [...p.content.matchAll(/matches\s+'[^']*?\.\{(\d+),/g)].map((m) => Number(m[1]))),
    ...numbers(parameters, LENGTH_PARAMETERS),
  ];
  const minClasses = Math.max(0, ...parameters.map(classes));
  const maxAges = numbers(parameters, MAX_AGE_PARAMETERS).filter((d) => d > 0);
  const thresholds = numbers(parameters, [MAX_FAILED]).filter((n) => n > 0);
  const unlocks = numbers(parameters, [AUTO_UNLOCK]);
  return {
    source: 'pwpolicy',
    minLength: Math.max(0, ...lengths),
    complexity: minClasses >= COMPLEXITY_CLASSES,
    minClasses,
    maxAgeDays: maxAges.length > 0 ? Math.min(...maxAges) : 0,
    history: Math.max(0, ...numbers(parameters, [HISTORY])),
    lockoutThreshold: thresholds.length > 0 ? Math.min(...thresholds) : 0,
    // Without autoEnableInSeconds a locked account stays locked until an administrator unlocks it.
    ...(thresholds.length > 0 ? { lockoutDurationSeconds: unlocks.length > 0 ? Math.max(...unlocks) : 0 } : {}),
  };
}
