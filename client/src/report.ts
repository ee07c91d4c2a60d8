// The document report: a read-only Markdown document (shown as a preview) listing the
// flagged sentences of one document, built from what the server published.
import * as path from 'path';
import * as vscode from 'vscode';
import { SECTION } from './settings';
import { countByLabel, DocumentSummary, Summaries } from './summary';

export const REPORT_SCHEME = 'sentiment-ls-report';

export interface ServerState {
    /** One line for people: "model `embedded` ready", "model loading (`x`)…", a failure. */
    describe(): string;
    modelId(): string | undefined;
}

export function reportUri(document: vscode.Uri): vscode.Uri {
    const name = path.posix.basename(document.path) || 'document';
    return vscode.Uri.from({
        scheme: REPORT_SCHEME,
        path: `/Sentiment report - ${name}.md`,
        query: document.toString(),
    });
}

function cell(text: string): string {
    return text.replace(/\s+/g, ' ').trim().replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

function sentenceText(document: vscode.TextDocument | undefined, range: vscode.Range): string {
    if (!document) {
        return '';
    }
    const text = cell(document.getText(range));
    return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export function renderReport(
    source: vscode.Uri,
    document: vscode.TextDocument | undefined,
    summary: DocumentSummary | undefined,
    state: ServerState,
): string {
    const config = vscode.workspace.getConfiguration(SECTION, source);
    const name = path.posix.basename(source.path) || source.toString();
    const model = summary?.flagged.find((s) => s.model)?.model ?? state.modelId() ?? config.get('model');
    const lines = [`# Sentiment report: ${name}`, ''];
    lines.push(
        `Model \`${model}\` · threshold ${config.get('threshold')} · ` +
            `flagged labels ${JSON.stringify(config.get('flagLabels')) === 'null' ? "the model's negative label(s)" : JSON.stringify(config.get('flagLabels'))} · ` +
            `server: ${state.describe()}`,
        '',
    );
    if (!summary) {
        lines.push('*Not analysed yet.* The report fills in when the server publishes its findings for this document.');
        return lines.join('\n') + '\n';
    }
    const flagged = summary.flagged;
    if (flagged.length === 0) {
        lines.push('**No sentence flagged.** Nothing in this document reads as flagged sentiment at this threshold.');
        return lines.join('\n') + '\n';
    }
    const counts = countByLabel(flagged).map(([label, count]) => `${label} ${count}`).join(', ');
    lines.push(`**${flagged.length} sentence${flagged.length === 1 ? '' : 's'} flagged** (${counts})`, '');
    lines.push('| line | label | score | sentence |', '|--:|:--|--:|:--|');
    for (const sentence of flagged) {
        const score = sentence.score === undefined ? '' : sentence.score.toFixed(2);
        lines.push(
            `| ${sentence.range.start.line + 1} | ${cell(sentence.label)} | ${score} | ${sentenceText(document, sentence.range)} |`,
        );
    }
    lines.push(
        '',
        '*Hover a sentence in the editor to see the pipeline behind its score: the tokenizer\'s ' +
            'word pieces, the model\'s logits and the post-processing.*',
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

    provideTextDocumentContent(uri: vscode.Uri): string {
        const source = vscode.Uri.parse(uri.query);
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === source.toString());
        return renderReport(source, document, this.summaries.get(source), this.state);
    }

    dispose(): void {
        this.subscription.dispose();
        this.changed.dispose();
    }
}
