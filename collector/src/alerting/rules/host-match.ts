// Which host entry of a tenant applies to a host: an exact name wins over a glob ('*' = any characters), a longer
// glob over a shorter one, and between globs of the same length the first written. Case does not matter: Windows
// reports host names in capitals (SQL01) that a rules file may well write as sql01.

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

export interface HostPattern<T> {
  pattern: string;
  value: T;
}

/** Builds the lookup once; patterns are compared lower-cased. */
export function hostMatcher<T>(patterns: readonly HostPattern<T>[]): (host: string) => HostPattern<T> | undefined {
  const exact = new Map<string, HostPattern<T>>();
  const globs: { re: RegExp; entry: HostPattern<T> }[] = [];
  for (const entry of patterns) {
    const key = entry.pattern.toLowerCase();
    if (!key.includes('*')) {
      if (!exact.has(key)) exact.set(key, entry);
    } else {
      globs.push({ re: new RegExp(`^${key.split('*').map(escape).join('.*')}$`), entry });
    }
  }
  // Array.prototype.sort is stable: equal lengths keep their written order.
  globs.sort((a, b) => b.entry.pattern.length - a.entry.pattern.length);
  return (host) => {
    const key = host.toLowerCase();
    return exact.get(key) ?? globs.find((g) => g.re.test(key))?.entry;
  };
}
