import { Option, type Command } from 'commander';
import { DphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';
import { createEngine, defaultPolicy, loadPolicy, policyForScene, type Finding, type Policy } from '@dph/pii';
import { readInputs } from './read-input.js';
import type { CliCommand, CliIo } from './types.js';

interface ScanOpts {
  policy?: string;
  scene?: string;
  format: 'text' | 'jsonl';
}

function choosePolicy(o: ScanOpts, env: NodeJS.ProcessEnv): Policy {
  if (o.policy && o.scene) throw new DphError(ERROR_CODES.validationFailed, '--policy and --scene are exclusive', { status: 400 });
  if (o.policy) return loadPolicy(o.policy);
  if (o.scene) return policyForScene(o.scene, env.DPH_PII_POLICY_DIR || undefined);
  return defaultPolicy();
}

// Findings are printed as offsets and types only: the CLI never echoes a matched value.
const entity = (f: Finding) => ({ type: f.type, start: f.start, end: f.end, score: f.score });

function scanJsonl(name: string, text: string, engine: ReturnType<typeof createEngine>, io: CliIo): void {
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      rec = undefined;
    }
    const r = rec as { id?: unknown; text?: unknown } | undefined;
    if (!r || typeof r !== 'object' || typeof r.text !== 'string') {
      io.stderr.write(`${name}:${i + 1}: expected a JSON object with a string "text"\n`);
      io.setExitCode(1);
      return;
    }
    const { text: redacted, findings } = engine.redactText(r.text);
    io.stdout.write(JSON.stringify({ id: r.id ?? null, entities: findings.map(entity), redacted }) + '\n');
  });
}

export const piiScan: CliCommand = {
  group: 'pii',
  register(group: Command, io: CliIo) {
    group.description('PII detection and redaction');
    group
      .command('scan')
      .description('scan files (or stdin) for PII; prints offsets and types, never the values')
      .option('--policy <file>', 'scene policy file (YAML or JSON)')
      .option('--scene <name>', 'scene whose policy is loaded from DPH_PII_POLICY_DIR (or the bundled policies)')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'jsonl']).default('text'))
      .argument('[files...]', 'input files; stdin when none')
      .action(async (files: string[], o: ScanOpts) => {
        const engine = createEngine(choosePolicy(o, io.env), { env: io.env });
        for (const [name, text] of await readInputs(files, io.stdin)) {
          if (o.format === 'jsonl') {
            scanJsonl(name, text, engine, io);
            continue;
          }
          for (const f of engine.scanText(text)) io.stdout.write(`${name}\t${f.start}\t${f.end}\t${f.type}\t${f.score}\t${f.recognizer}\n`);
        }
      });
  },
};
