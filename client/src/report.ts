// The document report: a read-only Markdown document (shown as a preview) for one document:
// the flagged sentences the server published and, when the server has the analyze command,
// every sentence's label, score and strongest words.
import * as path from 'path';
import * as vscode from 'vscode';
import { SECTION } from './settings';
import { AnalyzedSentence, DocumentAnalysis, percent, shares } from './analysis';
import { countByLabel, DocumentSummary, Summaries } from './summary';

export const REPORT_SCHEME = 'sentiment-ls-report';

export interface ServerState {
    /** One line for people: "model `embedded` ready", "model loading (`x`)…", a failure. */
    describe(): string;
    modelId(): string | undefined;
    /** Every sentence's label, when the server has the analyze command. */
    analyze(document: vscode.TextDocument): Promise<DocumentAnalysis | undefined>;
}

export function reportUri(document: vscode.Uri): vscode.Uri {
    const name = path.posix.basename(document.path).replace(/\.[^.]*$/, '') || 'document';
    return vscode.Uri.from({
        scheme: REPORT_SCHEME,
        path: `/${name} sentiment report.md`,
        query: document.toString(),
    });
}

function cell(text: string): string {
    return text.replace(/\s+/g, ' ').trim().replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

function shorten(text: string, limit = 160): string {
    const flat = cell(text);
    return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

function score(value: number | undefined): string {
    return value === undefined ? '' : value.toFixed(2);
}

/** The words that pushed the sentence toward its label, strongest first. */
function topWords(sentence: AnalyzedSentence, count = 3): string {
    return sentence.words
        .filter((word) => word.attribution > 0)
        .sort((a, b) => b.attribution - a.attribution)
        .slice(0, count)
        .map((word) => cell(word.text))
        .join(', ');
}

export function renderReport(
    source: vscode.Uri,
    document: vscode.TextDocument | undefined,
    summary: DocumentSummary | undefined,
    analysis: DocumentAnalysis | undefined,
    state: ServerState,
): string {
    const config = vscode.workspace.getConfiguration(SECTION, source);
    const name = path.posix.basename(source.path) || source.toString();
    const model = analysis?.model || summary?.flagged.find((s) => s.model)?.model || state.modelId() || config.get('model');
    const flagLabels = config.get<string[] | null>('flagLabels');
    const lines = [`# Sentiment report: ${name}`, ''];
    const status = state.describe().replace(/`/g, '');
    lines.push(
        `Model \`${model}\` · flags ${flagLabels ? flagLabels.map((l) => `\`${l}\``).join(', ') : "the model's negative label(s)"} ` +
            `at ≥ ${config.get('threshold')}${/ready$/.test(status) ? '' : ` · ${status}`}`,
        '',
    );
    if (!summary && !analysis) {
        lines.push('*Not analysed yet.* The report fills in when the server publishes its findings for this document.');
        return lines.join('\n') + '\n';
    }
    const flagged = summary?.flagged ?? [];
    const counts = countByLabel(flagged).map(([label, count]) => `${label} ${count}`).join(', ');
    const flaggedLine =
        flagged.length === 0
            ? '**No sentence flagged.**'
            : `**${flagged.length} sentence${flagged.length === 1 ? '' : 's'} flagged** (${counts})`;
    if (analysis && analysis.sentences.length > 0) {
        const split = shares(analysis).map(([label, share]) => `${percent(share)} ${label}`).join(' · ');
        lines.push(`${flaggedLine} of ${analysis.sentences.length} · ${split}`, '');
        const flaggedStarts = new Set(flagged.map((f) => `${f.range.start.line}:${f.range.start.character}`));
        lines.push('| line | label | score | sentence | strongest words |', '|--:|:--|--:|:--|:--|');
        for (const sentence of analysis.sentences) {
            const key = `${sentence.range.start.line}:${sentence.range.start.character}`;
            const label = flaggedStarts.has(key) ? `**${cell(sentence.label)}** ⚑` : cell(sentence.label);
            lines.push(
                `| ${sentence.range.start.line + 1} | ${label} | ${score(sentence.probabilities[sentence.label])} | ` +
                    `${shorten(sentence.text || (document ? document.getText(sentence.range) : ''))} | ${topWords(sentence)} |`,
            );
        }
        lines.push(
            '',
            `⚑ flagged (a diagnostic in the editor). Strongest words: those that pushed the sentence ` +
                `toward its label most, by ${analysis.method || "the server's method"}.`,
        );
    } else if (flagged.length === 0) {
        lines.push(`${flaggedLine} Nothing in this document reads as flagged sentiment at this threshold.`);
        return lines.join('\n') + '\n';
    } else {
        lines.push(flaggedLine, '');
        lines.push('| line | label | score | sentence |', '|--:|:--|--:|:--|');
        for (const sentence of flagged) {
            lines.push(
                `| ${sentence.range.start.line + 1} | ${cell(sentence.label)} | ${score(sentence.score)} | ` +
                    `${document ? shorten(document.getText(sentence.range)) : ''} |`,
            );
        }
    }
    lines.push(
        '',
        "*Hover a sentence in the editor to see the pipeline behind its score: the tokenizer's " +
            "word pieces, the model's logits and the post-processing.*",
    );
    return lines.join('\n') + '\n';
}

export class ReportProvider implements vscode.TextDocumentContentProvider {
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;
    private readonly subscription: vscode.Disposable;

    constructor(
        private readonly summaries: Summaries,
        private readonly state: ServerState,
    ) {
        this.subscription = summaries.onDidChange((uri) => {
            this.changed.fire(reportUri(vscode.Uri.parse(uri)));
        });
    }

    async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
        const source = vscode.Uri.parse(uri.query);
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === source.toString());
        const analysis = document ? await this.state.analyze(document) : undefined;
        return renderReport(source, document, this.summaries.get(source), analysis, this.state);
    }

    dispose(): void {
        this.subscription.dispose();
        this.changed.dispose();
    }
}
