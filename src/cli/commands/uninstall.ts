/** `ai-provenance uninstall`: see install.ts. */
import { CliIo } from '../io';
import { help as installHelp, runUninstall } from './install';

export const help = installHelp;

export function run(argv: string[], io: CliIo): Promise<number> {
  return runUninstall(argv, io);
}
