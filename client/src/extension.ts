// The VS Code client of sentiment-ls: starts the server on stdio for the analysed languages,
// passes the `sentimentLs` settings to it, and shows each document's sentiment in the status
// bar, with a report, a model command and a restart command.
import * as vscode from 'vscode';
import {
    DidChangeConfigurationNotification,
    ExecuteCommandRequest,
    LanguageClient,
    LanguageClientOptions,
    ServerOptions,
    State,
    TransportKind,
} from 'vscode-languageclient/node';
import {
    ANALYZE_COMMAND,
    DocumentAnalysis,
    MAX_ANALYZED_CHARACTERS,
    parseAnalysis,
    percent,
    shares,
} from './analysis';
import { Launch, resolveLaunch, START_FAILURE_HINT } from './launch';
import { REPORT_SCHEME, ReportProvider, reportUri, ServerState } from './report';
import { analysedLanguages, launchSettings, SECTION, serverSettingNames, serverSettings } from './settings';
import { countByLabel, Summaries } from './summary';

const CLIENT_ID = SECTION; // so the trace setting is `sentimentLs.trace.server`
const CLIENT_NAME = 'sentiment-ls';
const LOAD_PROGRESS_PREFIX = 'sentiment-ls/load/';
const SHARES_DELAY_MS = 1000; // after the diagnostics of a version: typing pauses are longer

type ModelPhase = 'stopped' | 'starting' | 'loading' | 'ready' | 'failed';

class Controller implements ServerState, vscode.Disposable {
    private client: LanguageClient | undefined;
    private launch: Launch | undefined;
    private phase: ModelPhase = 'stopped';
    private detail = 'not started: no document of sentimentLs.languages is open';
    private readonly output = vscode.window.createOutputChannel(CLIENT_NAME);
    private readonly status = vscode.window.createStatusBarItem(
        'sentimentLs.status',
        vscode.StatusBarAlignment.Right,
        100,
    );
    readonly summaries = new Summaries();
    private readonly names: string[];
    private queue: Promise<void> = Promise.resolve();
    /** The last analysis of each document, for the status bar's shares. */
    private readonly analyses = new Map<string, DocumentAnalysis>();
    private sharesTimer: ReturnType<typeof setTimeout> | undefined;

    constructor(context: vscode.ExtensionContext) {
        this.names = serverSettingNames(context.extension.packageJSON);
        this.status.name = 'sentiment-ls';
        this.summaries.onDidChange((uri) => {
            this.updateStatus();
            this.scheduleShares(uri);
        });
    }

    // -- ServerState ------------------------------------------------------------------
    describe(): string {
        return this.detail;
    }

    modelId(): string | undefined {
        const match = /model `([^`]+)`/.exec(this.detail);
        return match ? match[1] : undefined;
    }

    /** Every sentence's label, from the server's analyze command; undefined without one. */
    async analyze(document: vscode.TextDocument): Promise<DocumentAnalysis | undefined> {
        const client = this.client;
        const commands = client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
        if (!client || !commands.includes(ANALYZE_COMMAND) || this.phase !== 'ready') {
            return undefined;
        }
        if (document.getText().length > MAX_ANALYZED_CHARACTERS) {
            return undefined;
        }
        const version = document.version;
        const known = this.analyses.get(document.uri.toString());
        if (known && known.version === version) {
            return known;
        }
        try {
            const raw = await client.sendRequest(ExecuteCommandRequest.type, {
                command: ANALYZE_COMMAND,
                arguments: [document.uri.toString()],
            });
            const analysis = parseAnalysis(raw, version);
            if (analysis && document.version === version) {
                this.analyses.set(document.uri.toString(), analysis);
            }
            return analysis;
        } catch (error) {
            this.output.appendLine(`${ANALYZE_COMMAND} failed: ${error instanceof Error ? error.message : String(error)}`);
            return undefined;
        }
    }

    /** Refresh the shares of the active document a moment after its diagnostics came. */
    scheduleShares(uri: string): void {
        const document = vscode.window.activeTextEditor?.document;
        if (!document || document.uri.toString() !== uri) {
            return;
        }
        if (this.sharesTimer) {
            clearTimeout(this.sharesTimer);
        }
        this.sharesTimer = setTimeout(() => {
            this.sharesTimer = undefined;
            void this.analyze(document).then(() => this.updateStatus());
        }, SHARES_DELAY_MS);
    }

    // -- life cycle -----------------------------------------------------------------
    /** Start, stop and restart run one at a time, in the order asked. */
    private serially(work: () => Promise<void>): Promise<void> {
        this.queue = this.queue.then(work, work);
        return this.queue;
    }

    /** Whether the server should be running (started, not stopped since). */
    wanted = false;

    start(): Promise<void> {
        this.wanted = true;
        return this.serially(() => this.doStart());
    }

    stop(): Promise<void> {
        this.wanted = false;
        return this.serially(() => this.doStop());
    }

    restart(): Promise<void> {
        this.wanted = true;
        return this.serially(async () => {
            await this.doStop();
            await this.doStart();
        });
    }

    /** Start once a document the server analyses is open: the extension activates on every
     * language the server can read, but the server (and its model) only loads when needed. */
    startWhenNeeded(): void {
        if (!this.wanted && vscode.workspace.textDocuments.some(isAnalysed)) {
            void this.start();
        }
    }

    private setPhase(phase: ModelPhase, detail: string): void {
        this.phase = phase;
        this.detail = detail;
        this.updateStatus();
    }

    private async doStart(): Promise<void> {
        const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
        const resolution = resolveLaunch(launchSettings(), folders);
        if ('problem' in resolution) {
            this.output.appendLine(resolution.problem);
            this.setPhase('failed', resolution.problem);
            void this.showStartProblem(resolution.problem);
            return;
        }
        this.launch = resolution.launch;
        const executable = { command: this.launch.command, args: this.launch.args, transport: TransportKind.stdio };
        const serverOptions: ServerOptions = { run: executable, debug: executable };
        const languages = analysedLanguages();
        const names = this.names;
        const clientOptions: LanguageClientOptions = {
            documentSelector: languages.flatMap((language) => [
                { scheme: 'file', language },
                { scheme: 'untitled', language },
            ]),
            outputChannel: this.output,
            initializationOptions: serverSettings(names),
            synchronize: { configurationSection: SECTION },
            middleware: {
                workspace: {
                    // Answer the server's pull of `sentimentLs` with its own settings only: the
                    // client's (server.*, trace.*) would be reported as unknown settings.
                    configuration: async (params, token, next) => {
                        const answer = await next(params, token);
                        if (!Array.isArray(answer)) {
                            return answer;
                        }
                        return params.items.map((item, index) =>
                            item.section === SECTION
                                ? serverSettings(names, item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
                                : answer[index],
                        );
                    },
                    // The stock push leaves out false, 0 and null values; send every key.
                    didChangeConfiguration: async () => {
                        await this.client?.sendNotification(DidChangeConfigurationNotification.type, {
                            settings: { [SECTION]: serverSettings(names) },
                        });
                    },
                },
                handleWorkDoneProgress: (token, params, next) => {
                    if (String(token).startsWith(LOAD_PROGRESS_PREFIX)) {
                        if (params.kind === 'begin') {
                            this.setPhase('loading', params.message ?? 'model loading…');
                        } else if (params.kind === 'end') {
                            const message = params.message ?? 'model ready';
                            this.setPhase(/could not be loaded/.test(message) ? 'failed' : 'ready', message);
                        }
                    }
                    next(token, params);
                },
            },
        };
        const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
        client.onDidChangeState((event) => {
            if (event.newState === State.Stopped && this.client === client && this.phase !== 'stopped') {
                this.setPhase('failed', 'the server stopped; run "sentiment-ls: Restart Server"');
            }
        });
        this.client = client;
        this.setPhase('starting', `starting ${this.launch.display}`);
        this.output.appendLine(`Starting ${this.launch.display}`);
        try {
            await client.start();
        } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            const problem = `sentiment-ls: the server "${this.launch.display}" failed to start: ${reason}`;
            this.output.appendLine(problem);
            this.setPhase('failed', problem);
            void this.showStartProblem(`${problem}. ${START_FAILURE_HINT}`);
            return;
        }
        if (this.phase === 'starting') {
            // A server that reports no load progress (or did before we listened).
            this.setPhase('ready', 'server running');
        }
    }

    private async doStop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        this.setPhase('stopped', 'stopped');
        this.summaries.clear();
        this.analyses.clear();
        if (client) {
            try {
                await client.stop(5000);
            } catch (error) {
                this.output.appendLine(`stopping the server: ${String(error)}`);
            }
            await client.dispose().catch(() => undefined);
        }
    }

    private async showStartProblem(message: string): Promise<void> {
        const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output');
        if (choice === 'Open Settings') {
            await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server`);
        } else if (choice === 'Show Output') {
            this.output.show(true);
        }
    }

    // -- status bar -------------------------------------------------------------------
    updateStatus(): void {
        const editor = vscode.window.activeTextEditor;
        const document = editor?.document;
        if (!document || !analysedLanguages().includes(document.languageId) || document.uri.scheme === REPORT_SCHEME) {
            this.status.hide();
            return;
        }
        const item = this.status;
        item.command = 'sentimentLs.showReport';
        item.backgroundColor = undefined;
        const summary = this.summaries.get(document.uri);
        const tooltip = new vscode.MarkdownString('', true);
        tooltip.appendMarkdown(`**sentiment-ls** · ${this.detail}\n\n`);
        if (this.phase === 'failed' || this.phase === 'stopped') {
            item.text = '$(error) Sentiment';
            item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
            item.command = 'sentimentLs.showOutput';
            tooltip.appendMarkdown('Click for the server output.');
        } else if (this.phase !== 'ready' || !summary) {
            item.text = '$(loading~spin) Sentiment';
            tooltip.appendMarkdown('Analysing… Click for the document report.');
        } else {
            const flagged = summary.flagged.length;
            const counts = countByLabel(summary.flagged);
            const icon = flagged === 0 ? '$(pass)' : '$(feedback)';
            const known = this.analyses.get(document.uri.toString());
            const analysis = known && known.version === document.version ? known : undefined;
            const split = analysis ? shares(analysis) : [];
            if (analysis && split.length > 0) {
                const glance = split.slice(0, 2).map(([label, share]) => `${percent(share)} ${label}`);
                item.text = `${icon} ${flagged === 0 ? '' : `${flagged} flagged · `}${glance.join(' · ')}`;
                tooltip.appendMarkdown(
                    `${analysis.sentences.length} sentences: ` +
                        `${split.map(([label, share]) => `${percent(share)} ${label}`).join(', ')}.\n\n`,
                );
            } else {
                item.text = flagged === 0
                    ? `${icon} Sentiment: none flagged`
                    : `${icon} Sentiment: ${counts.map(([label, n]) => `${n} ${label}`).join(', ')}`;
            }
            tooltip.appendMarkdown(
                flagged === 0
                    ? 'No sentence flagged. '
                    : `${flagged} flagged (${counts.map(([label, n]) => `${n} ${label}`).join(', ')}). `,
            );
            tooltip.appendMarkdown('Click for the document report.');
        }
        item.tooltip = tooltip;
        item.accessibilityInformation = { label: item.text.replace(/\$\([^)]*\)\s*/g, '') };
        item.show();
    }

    // -- commands -------------------------------------------------------------------
    async showReport(): Promise<void> {
        const editor = vscode.window.activeTextEditor;
        const document =
            editor?.document.uri.scheme !== REPORT_SCHEME
                ? editor?.document
                : vscode.workspace.textDocuments.find((d) => d.uri.toString() === editor.document.uri.query);
        if (!document) {
            void vscode.window.showInformationMessage('sentiment-ls: open a Markdown or plain-text document first.');
            return;
        }
        if (!analysedLanguages().includes(document.languageId)) {
            void vscode.window.showInformationMessage(
                `sentiment-ls does not analyse ${document.languageId} documents (sentimentLs.languages).`,
            );
            return;
        }
        const uri = reportUri(document.uri);
        try {
            await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
        } catch {
            const report = await vscode.workspace.openTextDocument(uri);
            await vscode.window.showTextDocument(report, { viewColumn: vscode.ViewColumn.Beside, preview: true });
        }
    }

    async showModel(): Promise<void> {
        const config = vscode.workspace.getConfiguration(SECTION);
        const info = this.client?.initializeResult?.serverInfo;
        const server = info ? `${info.name} ${info.version ?? ''}`.trim() : 'not running';
        const state = this.phase === 'ready' ? 'loaded' : this.detail.replace(/`/g, '');
        const message =
            `sentiment-ls model: "${this.modelId() ?? config.get('model')}" (${state}). ` +
            `Settings: sentimentLs.model = ${JSON.stringify(config.get('model'))}, sentimentLs.device = ` +
            `${JSON.stringify(config.get('device'))}. Server: ${server}` +
            `${this.launch ? `, started as ${this.launch.display}` : ''}.`;
        const choice = await vscode.window.showInformationMessage(message, 'Change Model');
        if (choice === 'Change Model') {
            await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.model`);
        }
    }

    showOutput(): void {
        this.output.show(true);
    }

    dispose(): void {
        this.status.dispose();
        this.summaries.dispose();
        this.output.dispose();
    }
}

let controller: Controller | undefined;

function isAnalysed(document: vscode.TextDocument): boolean {
    return (
        (document.uri.scheme === 'file' || document.uri.scheme === 'untitled') &&
        analysedLanguages().includes(document.languageId)
    );
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const current = new Controller(context);
    controller = current;
    const reports = new ReportProvider(current.summaries, current);
    context.subscriptions.push(
        current,
        reports,
        vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
        vscode.commands.registerCommand('sentimentLs.restartServer', () => current.restart()),
        vscode.commands.registerCommand('sentimentLs.showModel', () => current.showModel()),
        vscode.commands.registerCommand('sentimentLs.showReport', () => current.showReport()),
        vscode.commands.registerCommand('sentimentLs.showOutput', () => current.showOutput()),
        vscode.window.onDidChangeActiveTextEditor((editor) => {
            current.updateStatus();
            if (editor) {
                current.scheduleShares(editor.document.uri.toString());
            }
        }),
        // Pushed or pulled (VS Code pulls from a server that offers textDocument/diagnostic),
        // the server's findings land in VS Code's diagnostics: summarise them from there.
        vscode.languages.onDidChangeDiagnostics((event) => {
            for (const uri of event.uris) {
                current.summaries.record(uri, vscode.languages.getDiagnostics(uri));
            }
        }),
        vscode.workspace.onDidOpenTextDocument(() => current.startWhenNeeded()),
        vscode.workspace.onDidCloseTextDocument((document) => current.summaries.forget(document.uri)),
        vscode.workspace.onDidChangeConfiguration((event) => {
            // How the server starts and which documents it gets need a new client; the
            // server's own settings reach it through the configuration sync.
            if (
                event.affectsConfiguration(`${SECTION}.server`) ||
                event.affectsConfiguration(`${SECTION}.languages`)
            ) {
                if (current.wanted) {
                    void current.restart();
                } else {
                    current.startWhenNeeded();
                }
            }
        }),
    );
    current.updateStatus();
    current.startWhenNeeded();
}

export async function deactivate(): Promise<void> {
    await controller?.stop();
    controller = undefined;
}
