// Mocha reporter for the single test command: prints like `spec` and writes the run's counts
// and failures as JSON to the file named by AI_PROVENANCE_SUITE_SUMMARY.
'use strict';
const fs = require('fs');
const mochaNs = require('mocha');

const reporters = mochaNs.reporters || (mochaNs.default && mochaNs.default.reporters) || (mochaNs.Mocha && mochaNs.Mocha.reporters);
const Spec = reporters.Spec;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    runner.on('fail', (test, err) => failures.push({ title: test.fullTitle(), error: err && err.message }));
    runner.once('end', () => {
      const file = process.env.AI_PROVENANCE_SUITE_SUMMARY;
      if (!file) return;
      const s = this.stats;
      fs.writeFileSync(file, JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending, tests: s.tests, failures }, null, 2));
    });
  }
}

module.exports = SummaryReporter;
