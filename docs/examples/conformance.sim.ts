import { createSimHarness, runConformance } from '@anarchy/sdk/testing';

// The scenarios every Transport must pass (join, leave, crash, both channels, errors), here run
// against the simulated network. For your own transport, write a ConformanceHarness for it.
const results = await runConformance(() => createSimHarness({ seed: 9 }));
const failed = results.filter((r) => !r.ok);
console.log(results.length > 0, failed.map((r) => `${r.name}: ${r.error}`)); // → true []
