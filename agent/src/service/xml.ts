// Text inside the XML service definitions (the launchd plist and the WinSW configuration). Every string that goes
// into them goes through xmlText, so a path or name with & < > " ' stays one value, and a character XML 1.0
// cannot carry at all (a control character, a lone surrogate) is refused instead of producing a file that the
// service manager rejects at boot.

export class ServiceDefinitionError extends Error {}

/** XML 1.0 "Char": tab, newline, carriage return, and U+0020 onwards minus surrogates, U+FFFE and U+FFFF. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Line breaks would survive escaping but not the meaning of a one-line value (a path, a name). */
const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** `value` escaped for element content or a double-quoted attribute; `what` names it in the error. */
export function xmlText(value: string, what: string): string {
  if (NOT_XML_CHAR.test(value) || LINE_BREAK.test(value))
    throw new ServiceDefinitionError(`${what} contains a character that cannot be written: ${JSON.stringify(value)}`);
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
