// How to start the server: find the executable (or the interpreter) before spawning it, so
// that a missing install is reported with its fix instead of a bare ENOENT.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LaunchSettings } from './settings';

export interface Launch {
    command: string;
    args: string[];
    /** For messages: the command line as the user would type it. */
    display: string;
}

export type Resolution = { launch: Launch } | { problem: string };

const INSTALL_HINT =
    'install the server with "pip install sentiment-ls" (or "bash scripts/setup.sh" in a ' +
    'checkout of sentiment-ls), then set sentimentLs.server.command to the full path of ' +
    'its sentiment-ls executable (for example /path/to/sentiment-ls/.venv/bin/sentiment-ls), ' +
    'or sentimentLs.server.pythonPath to a Python that has it installed.';

export function expand(value: string, folders: readonly string[]): string {
    let result = value;
    if (result === '~' || result.startsWith('~/')) {
        result = path.join(os.homedir(), result.slice(1));
    }
    if (folders.length > 0) {
        result = result.split('${workspaceFolder}').join(folders[0]);
    }
    return result.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => process.env[name] ?? '');
}

function isExecutable(file: string): boolean {
    try {
        const stat = fs.statSync(file);
        if (!stat.isFile()) {
            return false;
        }
        if (process.platform === 'win32') {
            return true;
        }
        fs.accessSync(file, fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

function executableNames(name: string): string[] {
    if (process.platform !== 'win32' || path.extname(name)) {
        return [name];
    }
    const extensions = (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean);
    return [name, ...extensions.map((extension) => name + extension.toLowerCase())];
}

/** A bare name on PATH, then in each workspace folder's virtual environment. */
function findOnPath(name: string, folders: readonly string[]): string | undefined {
    const directories = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
    const venvBin = process.platform === 'win32' ? path.join('.venv', 'Scripts') : path.join('.venv', 'bin');
    directories.push(...folders.map((folder) => path.join(folder, venvBin)));
    for (const directory of directories) {
        for (const candidate of executableNames(name)) {
            const full = path.join(directory, candidate);
            if (isExecutable(full)) {
                return full;
            }
        }
    }
    return undefined;
}

function locate(value: string, folders: readonly string[]): string | undefined {
    const expanded = expand(value, folders);
    if (expanded.includes('/') || expanded.includes('\\')) {
        const absolute = path.isAbsolute(expanded) || folders.length === 0
            ? expanded
            : path.join(folders[0], expanded);
        return isExecutable(absolute) ? absolute : undefined;
    }
    return findOnPath(expanded, folders);
}

export function resolveLaunch(settings: LaunchSettings, folders: readonly string[]): Resolution {
    const args = settings.args.map((arg) => expand(arg, folders));
    if (settings.pythonPath) {
        const python = locate(settings.pythonPath, folders);
        if (!python) {
            return {
                problem:
                    `sentiment-ls: cannot start the server: the Python interpreter ` +
                    `\`${settings.pythonPath}\` (sentimentLs.server.pythonPath) was not found or is ` +
                    `not executable. Fix: point sentimentLs.server.pythonPath at an existing Python ` +
                    `(for example .venv/bin/python of your sentiment-ls install), or clear it to ` +
                    `use sentimentLs.server.command.`,
            };
        }
        const check = spawnSync(python, ['-c', 'import sentiment_ls'], { timeout: 30_000, encoding: 'utf8' });
        if (check.status !== 0) {
            const reason = (check.stderr || check.error?.message || '').trim().split('\n').pop() ?? '';
            return {
                problem:
                    `sentiment-ls: cannot start the server: "${python}" cannot import sentiment_ls` +
                    `${reason ? ` (${reason})` : ''}. Fix: "${python} -m pip install sentiment-ls", ` +
                    `or set sentimentLs.server.pythonPath to the Python that has it installed.`,
            };
        }
        return {
            launch: {
                command: python,
                args: ['-m', 'sentiment_ls', ...args],
                display: [python, '-m', 'sentiment_ls', ...args].join(' '),
            },
        };
    }
    const command = locate(settings.command, folders);
    if (!command) {
        return {
            problem:
                `sentiment-ls: cannot start the server: "${settings.command}" ` +
                `(sentimentLs.server.command) was not found` +
                `${settings.command.includes('/') ? '' : " on PATH or in the workspace's .venv"}. ` +
                `Fix: ${INSTALL_HINT}`,
        };
    }
    return { launch: { command, args, display: [command, ...args].join(' ') } };
}

export const START_FAILURE_HINT =
    'Check the output channel "sentiment-ls" for the reason; run the command in a terminal to ' +
    'see it start (it waits for LSP messages on stdin). To reinstall, ' + INSTALL_HINT;
