#!/usr/bin/env node
// The CLI lives in dist/ (built by tsup); this file exists before the build,
// so npm links the bin at install time in the repository too.
import "../dist/cli.js";
