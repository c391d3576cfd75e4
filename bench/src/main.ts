// `pnpm bench`: validate the settings, run the scenarios, print and write the table.
import { BenchSettingsError, loadBenchSettings } from './config/bench-settings.js';
import { runBench } from './run-bench.js';

let settings;
try {
  settings = loadBenchSettings();
} catch (error) {
  if (error instanceof BenchSettingsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const began = Date.now();
const report = await runBench(settings, (line) => {
  const seconds = ((Date.now() - began) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[${seconds} s] ${line}\n`);
});
process.exitCode = report.errors.length > 0 ? 1 : 0;
