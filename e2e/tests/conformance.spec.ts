/**
 * The SDK's transport conformance suite, run against `PeerJsTransport` in Chromium: the very
 * scenarios the simulated network passes in Vitest, now over real WebRTC. One test per scenario,
 * each in a fresh page.
 */
import { expect, test } from '@playwright/test';
import { conformanceScenarios } from '../../packages/sdk/src/transport/conformance.js';
import { SIGNAL_URL, attachConsoles, recordConsole, waitForPageApi } from './support.js';

test.afterEach(async ({}, testInfo) => attachConsoles(testInfo));

for (const scenario of conformanceScenarios) {
  test(scenario.name, async ({ page }) => {
    recordConsole(page, 'conformance');
    await page.goto('/conformance.html');
    await waitForPageApi(page, 'runConformance');
    const results = await page.evaluate(([signal, name]) => window.runConformance!(signal, name), [SIGNAL_URL, scenario.name] as const);
    expect(results.map((r) => r.name)).toEqual([scenario.name]);
    const [result] = results;
    test.info().annotations.push({ type: 'scenario time', description: `${result!.ms} ms` });
    expect(result!.error, 'the scenario failed in the page').toBeUndefined();
    expect(result!.ok).toBe(true);
  });
}
