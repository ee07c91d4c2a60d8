// The server's `sentiment-ls.analyze` command, when it offers one: every sentence's label,
// probabilities and word attributions for a document (the server caches them per sentence).
// The status bar uses it for the share of each label; the report for its full table.
import * as vscode from 'vscode';

export const ANALYZE_COMMAND = 'sentiment-ls.analyze';
/** Larger documents get the flagged count only: analysing every sentence costs server time. */
export const MAX_ANALYZED_CHARACTERS = 50_000;

export interface AnalyzedWord {
    text: string;
    attribution: number;
}

export interface AnalyzedSentence {
    text: string;
    range: vscode.Range;
    label: string;
    probabilities: Record<string, number>;
    words: AnalyzedWord[];
}

export interface DocumentAnalysis {
    version: number;
    model: string;
    method: string;
    labels: string[];
    sentences: AnalyzedSentence[];
}

interface RawRange {
    start: { line: number; character: number };
    end: { line: number; character: number };
}

function toRange(raw: RawRange): vscode.Range {
    return new vscode.Range(raw.start.line, raw.start.character, raw.end.line, raw.end.character);
}

/** The command's JSON, checked field by field: anything unexpected gives undefined. */
export function parseAnalysis(raw: unknown, version: number): DocumentAnalysis | undefined {
    if (!raw || typeof raw !== 'object') {
        return undefined;
    }
    const value = raw as Record<string, unknown>;
    if (!Array.isArray(value.sentences)) {
        return undefined;
    }
    const sentences: AnalyzedSentence[] = [];
    for (const item of value.sentences as Record<string, unknown>[]) {
        if (!item || typeof item.label !== 'string' || !item.range) {
            return undefined;
        }
        const words = Array.isArray(item.words)
            ? (item.words as Record<string, unknown>[])
                  .filter((w) => typeof w.text === 'string' && typeof w.attribution === 'number')
                  .map((w) => ({ text: w.text as string, attribution: w.attribution as number }))
            : [];
        sentences.push({
            text: typeof item.text === 'string' ? item.text : '',
            range: toRange(item.range as RawRange),
            label: item.label,
            probabilities: (item.probabilities ?? {}) as Record<string, number>,
            words,
        });
    }
    return {
        version,
        model: typeof value.model === 'string' ? value.model : '',
        method: typeof value.method === 'string' ? value.method : '',
        labels: Array.isArray(value.labels) ? (value.labels as string[]) : [],
        sentences,
    };
}

/** Each label's share of the sentences, largest first. */
export function shares(analysis: DocumentAnalysis): [string, number][] {
    const counts = new Map<string, number>();
    for (const sentence of analysis.sentences) {
        counts.set(sentence.label, (counts.get(sentence.label) ?? 0) + 1);
    }
    const total = analysis.sentences.length || 1;
    return [...counts.entries()]
        .map(([label, count]): [string, number] => [label, count / total])
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function percent(share: number): string {
    return `${Math.round(share * 100)}%`;
}
