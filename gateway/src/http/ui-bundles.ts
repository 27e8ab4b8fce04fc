import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface UiBundle {
  /** URL prefix, with the trailing slash. */
  prefix: string;
  /** Folder of the built files, or undefined when the UI has not been built. */
  root: string | undefined;
  title: string;
}

const require = createRequire(import.meta.url);

/** The built folder of a UI workspace, or undefined when it is missing or not built. */
function distOf(pkg: string, sub = ''): string | undefined {
  let packageJson: string;
  try {
    packageJson = require.resolve(`${pkg}/package.json`);
  } catch {
    return undefined;
  }
  const dir = join(dirname(packageJson), 'dist', sub);
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/** The three screens: kiosk and desk are two pages of kiosk-ui, the lounge board is board-ui. */
export function uiBundles(): UiBundle[] {
  return [
    { prefix: '/kiosk/', root: distOf('@forecourt/kiosk-ui', 'kiosk'), title: 'Kiosk 自助取號' },
    { prefix: '/desk/', root: distOf('@forecourt/kiosk-ui', 'desk'), title: 'Reception desk 服務台' },
    { prefix: '/board/', root: distOf('@forecourt/board-ui'), title: 'Lounge board 休息區看板' },
    { prefix: '/bay/', root: distOf('@forecourt/kiosk-ui', 'bay'), title: 'Bay terminal 工位終端' },
    { prefix: '/status/', root: distOf('@forecourt/kiosk-ui', 'status'), title: 'Repair status 維修進度' },
  ];
}
