// `tsc` compiles src/ and migrations/ side by side into dist/src and dist/migrations; the documented
// entry points are dist/main.js (and dist/cli.js once the CLI exists).
import { existsSync, writeFileSync } from 'node:fs';
import { URL } from 'node:url';

writeFileSync(new URL('../dist/main.js', import.meta.url), "import './src/main.js';\n");
if (existsSync(new URL('../dist/src/cli/main.js', import.meta.url))) {
  writeFileSync(
    new URL('../dist/cli.js', import.meta.url),
    "#!/usr/bin/env node\nimport './src/cli/main.js';\n",
    {
      mode: 0o755,
    },
  );
}
