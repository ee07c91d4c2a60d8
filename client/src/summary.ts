// What the server said about each document, kept from its publishDiagnostics: the status
// bar and the report are built from this, so they agree with the squiggles.
import * as vscode from 'vscode';

export const SOURCE = 'sentiment-ls';

export interface FlaggedSentence {
    range: vscode.Range;
    label: string;
    score: number | undefined;
    message: string;
    model: string | undefined;
}

export interface DocumentSummary {
    uri: string;
    version: number | undefined;
    flagged: FlaggedSentence[];
}

/** `data` travels with the diagnostic: the client library keeps it on the object. */
interface DiagnosticData {
    label?: unknown;
    probabilities?: unknown;
    model?: unknown;
}

export function toFlagged(diagnostic: vscode.Diagnostic): FlaggedSentence {
    const data = ((diagnostic as unknown as { data?: DiagnosticData }).data ?? {}) as DiagnosticData;
    const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
    let label = typeof data.label === 'string' ? data.label : undefined;
    if (label === undefined && typeof code === 'string' && code.startsWith('sentiment-')) {
        label = code.slice('sentiment-'.length);
    }
    label = label ?? 'flagged';
    let score: number | undefined;
    if (data.probabilities && typeof data.probabilities === 'object') {
        const value = (data.probabilities as Record<string, unknown>)[label];
        score = typeof value === 'number' ? value : undefined;
    }
    if (score === undefined) {
        const match = /\((\d+(?:\.\d+)?)\)\s*$/.exec(diagnostic.message);
        score = match ? Number(match[1]) : undefined;
    }
    return {
        range: diagnostic.range,
        label,
        score,
        message: diagnostic.message,
        model: typeof data.model === 'string' ? data.model : undefined,
    };
}

export class Summaries {
    private readonly byUri = new Map<string, DocumentSummary>();
    private readonly changed = new vscode.EventEmitter<string>();
    readonly onDidChange = this.changed.event;

    record(uri: vscode.Uri, diagnostics: readonly vscode.Diagnostic[]): void {
        const key = uri.toString();
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
        const flagged = diagnostics.filter((d) => d.source === SOURCE).map(toFlagged);
        flagged.sort((a, b) => a.range.start.compareTo(b.range.start));
        this.byUri.set(key, { uri: key, version: document?.version, flagged });
        this.changed.fire(key);
    }

    get(uri: vscode.Uri): DocumentSummary | undefined {
        return this.byUri.get(uri.toString());
    }

    clear(): void {
        const uris = [...this.byUri.keys()];
        this.byUri.clear();
        uris.forEach((uri) => this.changed.fire(uri));
    }

    forget(uri: vscode.Uri): void {
        if (this.byUri.delete(uri.toString())) {
            this.changed.fire(uri.toString());
        }
    }

    dispose(): void {
        this.changed.dispose();
    }
}

/** `negative: 2, NEGATIVE: 1` style counts, most frequent first. */
export function countByLabel(flagged: readonly FlaggedSentence[]): [string, number][] {
    const counts = new Map<string, number>();
    for (const sentence of flagged) {
        counts.set(sentence.label, (counts.get(sentence.label) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
