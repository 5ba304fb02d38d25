// PDF from the report's HTML, printed by a headless Chromium on this machine (Debian's `chromium` package) through
// playwright-core, which brings no browser of its own. One browser serves many prints: a printer is opened once
// (by the CLI for one report, by the collector on its first PDF request) and closed by its owner; each print is a
// fresh page.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian and Ubuntu put the browser; WATCHPOST_CHROMIUM names another binary. */
const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
/** A print that takes longer is abandoned (an A4 report of a few pages prints in well under a second). */
const PRINT_TIMEOUT_MS = 30_000;

export class ChromiumMissingError extends Error {
  constructor(tried: readonly string[]) {
    super(
      `PDF needs a Chromium browser and none was found (looked for ${tried.join(', ')}): install Debian's chromium package ` +
        '(apt-get install chromium), set WATCHPOST_CHROMIUM to a Chromium or Chrome binary, or ask for --format html',
    );
    this.name = 'ChromiumMissingError';
  }
}

/** The browser binary to drive; throws ChromiumMissingError naming the package when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = env.WATCHPOST_CHROMIUM ? [env.WATCHPOST_CHROMIUM] : CHROMIUM_PATHS;
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new ChromiumMissingError(candidates);
  return found;
}

export interface PdfPrinter {
  /** The page as an A4 PDF with its backgrounds (the chart's bars). */
  print(html: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** A printer whose browser starts on the first print; `executablePath` defaults to findChromium(). */
export function createPdfPrinter(executablePath?: string): PdfPrinter {
  let browser: Promise<Browser> | undefined;
  const start = (): Promise<Browser> =>
    (browser ??= chromium.launch({ executablePath: executablePath ?? findChromium(), headless: true }).catch((error: unknown) => {
      browser = undefined; // a failed start is tried again on the next print
      throw error;
    }));
  return {
    async print(html) {
      const page = await (await start()).newPage();
      try {
        page.setDefaultTimeout(PRINT_TIMEOUT_MS);
        await page.setContent(html, { waitUntil: 'load' });
        return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
      } finally {
        await page.close();
      }
    },
    async close() {
      const started = browser;
      browser = undefined;
      if (started) await (await started).close();
    },
  };
}
