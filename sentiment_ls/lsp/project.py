"""Per-document settings in the server: the editor's settings with the project file that
governs the document on top.

The order, last wins: defaults < initializationOptions < the editor's `sentimentLs`
section < the project file's table < its overrides that match the document. The project
file wins over the editor because it is the repository's shared, per-path policy (release
notes must read positive for everyone who edits them), and because an editor cannot say
which of its values the user chose: VS Code answers a configuration pull with every
setting, defaults included, so an editor layer on top would always hide the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import to_fs_path

from sentiment_ls.project_config import ProjectConfig, ProjectConfigs

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from sentiment_ls.settings import Settings

# Glob patterns of the files whose change reloads the configuration.
WATCHED_GLOBS = ("**/.sentiment-ls.toml", "**/pyproject.toml")
WATCH_REGISTRATION_ID = "sentiment-ls/project-config"


def document_path(uri: str) -> Path | None:
    """The file behind a `file:` URI; None for other schemes (untitled documents...)."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None


class ProjectSettings:
    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.configs = ProjectConfigs()
        self._announced: set[Path] = set()  # files whose problems were shown since read

    def roots(self) -> list[Path]:
        """The workspace folders (or the root URI of a client without folders)."""
        workspace = self.server.workspace
        uris = [folder.uri for folder in workspace.folders.values()]
        if not uris and workspace.root_uri:
            uris = [workspace.root_uri]
        return [path for uri in uris if (path := document_path(uri)) is not None]

    def config_for(self, uri: str) -> tuple[Path, ProjectConfig] | None:
        path = document_path(uri)
        if path is None:
            return None
        config = self.configs.for_document(path, self.roots())
        if config is None:
            return None
        self._announce(config)
        return path, config

    def settings_for(self, uri: str, editor: Settings) -> Settings:
        found = self.config_for(uri)
        if found is None:
            return editor
        path, config = found
        # Problems in the values were reported when the file was read (see _announce).
        return config.settings_for(path, editor).settings

    def forget(self) -> None:
        """A configuration file changed: read them again when next asked."""
        self.configs.forget()
        self._announced.clear()

    def _announce(self, config: ProjectConfig) -> None:
        if config.path in self._announced:
            return
        self._announced.add(config.path)
        for problem in config.problems:
            self.server.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning, message=f"sentiment-ls: {problem}"
                )
            )

    def can_watch(self) -> bool:
        capabilities = self.server.client_capabilities
        watched = getattr(capabilities.workspace, "did_change_watched_files", None)
        return bool(watched and watched.dynamic_registration)

    async def watch(self) -> bool:
        """Ask the client to tell us when a configuration file changes; False where it
        cannot (then a save of one, which the server sees, reloads them)."""
        if not self.can_watch():
            return False
        watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS]
        registration = types.Registration(
            id=WATCH_REGISTRATION_ID,
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
        )
        try:
            await self.server.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            )
        except Exception as error:  # a client that refuses still gets reloads on save
            self.server.window_log_message(
                types.LogMessageParams(
                    type=types.MessageType.Warning,
                    message=f"sentiment-ls: cannot watch configuration files: {error}",
                )
            )
            return False
        return True
