/**
 * @module Headless Chromium for browser tests: Debian's `chromium` driven by playwright-core (no browser
 * download). Installed with apt when missing and we are root (here and in CI); otherwise the error says how.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, offline, sandbox-less headless run in containers (root cannot use the sandbox). */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const command = 'apt-get update && apt-get install -y chromium';
  if (process.getuid?.() !== 0) throw new Error(`Browser tests need Debian's chromium at ${CHROMIUM_PATH}. As root run:\n  ${command}`);
  execFileSync('bash', ['-c', command], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 });
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`"${command}" finished but ${CHROMIUM_PATH} is still missing`);
}

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}
