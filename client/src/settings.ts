// The settings this extension contributes, split in two: the server's own (sent to it) and
// the client's (how to start it, tracing). package.json is the single list of both; a Python
// unit test (tests/unit/test_client_settings.py) keeps the server's half in step with
// sentiment_ls/settings.py.
import * as vscode from 'vscode';

export const SECTION = 'sentimentLs';

/** Keys under `sentimentLs.` that configure the client, never sent to the server. */
const CLIENT_PREFIXES = ['server.', 'trace.'];

export function isClientKey(key: string): boolean {
    return CLIENT_PREFIXES.some((prefix) => key.startsWith(prefix));
}

/** The server's setting names (`model`, `threshold`, ...), read from package.json. */
export function serverSettingNames(packageJSON: unknown): string[] {
    const properties = (packageJSON as {
        contributes?: { configuration?: { properties?: Record<string, unknown> } };
    }).contributes?.configuration?.properties ?? {};
    return Object.keys(properties)
        .filter((key) => key.startsWith(`${SECTION}.`))
        .map((key) => key.slice(SECTION.length + 1))
        .filter((key) => !isClientKey(key));
}

/**
 * The server's settings as one flat object, every key present. Falsy values (false, 0,
 * null) are kept: the server reads a missing key as "not set in this layer".
 */
export function serverSettings(names: string[], scope?: vscode.Uri): Record<string, unknown> {
    const config = vscode.workspace.getConfiguration(SECTION, scope);
    const result: Record<string, unknown> = {};
    for (const name of names) {
        const value = config.get<unknown>(name);
        result[name] = value === undefined ? null : JSON.parse(JSON.stringify(value));
    }
    return result;
}

export interface LaunchSettings {
    command: string;
    args: string[];
    pythonPath: string;
}

export function launchSettings(): LaunchSettings {
    const config = vscode.workspace.getConfiguration(SECTION);
    return {
        command: config.get<string>('server.command', 'sentiment-ls').trim() || 'sentiment-ls',
        args: config.get<string[]>('server.args', []),
        pythonPath: config.get<string>('server.pythonPath', '').trim(),
    };
}

export function analysedLanguages(): string[] {
    const languages = vscode.workspace
        .getConfiguration(SECTION)
        .get<string[]>('languages', ['plaintext', 'markdown']);
    return Array.isArray(languages) && languages.length > 0 ? languages : ['plaintext', 'markdown'];
}
