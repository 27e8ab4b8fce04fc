import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, OVERRIDES, type Config } from './schema.js';

export interface ConfigProblem {
  path: string;
  reason: string;
}

/** Thrown with every problem found, so the installer fixes them all in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.path}: ${p.reason}`).join('\n')}`);
  }
}

export interface LoadedConfig {
  config: Config;
  /** The file read, if any. */
  file: string | undefined;
}

const DEFAULT_FILES = ['forecourt.config.yaml', 'forecourt.config.yml', 'forecourt.config.json'];

/**
 * Reads the optional config file, applies env and CLI overrides (CLI wins), validates the result.
 * `--config FILE` or FORECOURT_CONFIG name the file; otherwise the first default file in `cwd`.
 */
export function loadConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): LoadedConfig {
  const problems: ConfigProblem[] = [];
  const flags = readFlags(argv, problems);

  const named = flags['config'] ?? env['FORECOURT_CONFIG'];
  const file = named ? resolve(cwd, named) : DEFAULT_FILES.map((f) => resolve(cwd, f)).find(existsSync);
  const raw = file ? readConfigFile(file, problems) : {};

  const overrides: Partial<Record<keyof typeof OVERRIDES, unknown>> = {};
  for (const [key, def] of Object.entries(OVERRIDES) as [keyof typeof OVERRIDES, (typeof OVERRIDES)[keyof typeof OVERRIDES]][]) {
    const flagValue = flags[def.flag.slice(2)];
    const [source, value] = flagValue !== undefined ? [def.flag, flagValue] : [def.env, env[def.env]];
    if (value === undefined || value === '') continue;
    const parsed = (def.schema as z.ZodType).safeParse(value);
    if (parsed.success) overrides[key] = parsed.data;
    else problems.push({ path: source, reason: `${JSON.stringify(value)}: ${parsed.error.issues[0]?.message}` });
  }

  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ path: issue.path.join('.') || '(root)', reason: issue.message });
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const config = parsed.data;
  if (overrides.httpPort !== undefined) config.http.port = overrides.httpPort as number;
  if (overrides.mqttPort !== undefined) config.mqtt.port = overrides.mqttPort as number;
  if (overrides.dataDir !== undefined) config.dataDir = overrides.dataDir as string;
  const base = file ? resolve(file, '..') : cwd;
  config.dataDir = resolve(base, config.dataDir);
  if (config.backup.folder !== undefined) config.backup.folder = resolve(base, config.backup.folder);
  if (config.tls) {
    const tls = config.tls;
    for (const key of ['cert', 'key', 'ca'] as const) {
      const path = tls[key];
      if (path === undefined) continue;
      tls[key] = resolve(base, path);
      if (!existsSync(tls[key])) problems.push({ path: `tls.${key}`, reason: `no such file: ${tls[key]}` });
    }
    if (problems.length > 0) throw new ConfigError(problems);
  }
  return { config, file };
}

function readFlags(argv: readonly string[], problems: ConfigProblem[]): Record<string, string | undefined> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        'http-port': { type: 'string' },
        'mqtt-port': { type: 'string' },
        'data-dir': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (err) {
    problems.push({ path: 'command line', reason: (err as Error).message });
    return {};
  }
}

function readConfigFile(file: string, problems: ConfigProblem[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ path: file, reason: `cannot read: ${(err as Error).message}` });
    return {};
  }
  try {
    const value: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    return value ?? {};
  } catch (err) {
    problems.push({ path: file, reason: `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}` });
    return {};
  }
}
