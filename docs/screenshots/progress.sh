#!/usr/bin/env bash
# Regenerates the screenshots of the live progress display in docs/images/ (see docs/logging.md):
# runs the Fashion-MNIST sample in a detached tmux session of a fixed size, captures the pane with
# its colours (`tmux capture-pane -e -p`) mid-epoch, while the validation bar is nested under the
# training bar, and at the end, and renders each capture to PNG (ansi-to-png.mjs).
# Installs what it needs when missing (tmux, Node.js, the DejaVu fonts; npm packages from
# package-lock.json). A docs tool, not part of .ci/run. Usage: bash docs/screenshots/progress.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
images="$repo/docs/images"

install_missing() {
    local missing=() package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    local as_root=()
    [ "$(id -u)" -ne 0 ] && as_root=(sudo)
    echo "Installing ${missing[*]}..."
    if ! "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"; then
        "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=900 update
        "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"
    fi
}

install_missing tmux fonts-dejavu-core
command -v node >/dev/null || install_missing nodejs
command -v npm >/dev/null || install_missing npm
(cd "$here" && npm ci --no-audit --no-fund --silent)

dotnet build -c Release "$repo/Samples/FashionMnist/FashionMnist.csproj" -v quiet -nologo
sample=$(find "$repo/Samples/FashionMnist/bin/Release" -name FashionMnist.dll -print -quit)

work=$(mktemp -d)
socket="$work/tmux.sock"
trap 'tmux -S "$socket" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
# remain-on-exit keeps the pane's last screen after the sample exits, for the final capture (without
# tmux's "Pane is dead" line); tmux-256color makes Spectre.Console use its 256-colour palette.
printf 'set -g remain-on-exit on\nset -g remain-on-exit-format ""\nset -g default-terminal "tmux-256color"\n' >"$work/tmux.conf"
tmux_() { tmux -S "$socket" -f "$work/tmux.conf" "$@"; }

# Prints the pane with its colour codes; $1 = file for the capture.
capture() { tmux_ capture-pane -e -p -t volt >"$1"; }
plain() { sed 's/\x1b\[[0-9;]*m//g' "$1"; }

# One run of the sample; leaves training.ansi, validation.ansi and end.ansi in $work.
# Returns 1 when no capture caught the nested validation bar (it lasts well under a second).
record() {
    rm -f "$work"/*.ansi
    # CI set, or TERM=dumb, would switch the sample to plain lines.
    tmux_ new-session -d -x 150 -y 40 -s volt \
        "env -u CI dotnet '$sample' --root '$work/root' --epochs 2 --limit-train-batches 200 --limit-test-batches 2"
    local frame="$work/frame" text
    while [ "$(tmux_ display -p -t volt '#{pane_dead}')" != 1 ]; do
        capture "$frame"
        text=$(plain "$frame")
        # Mid second epoch: the first epoch's finished bar above, this one with a remaining time.
        if [ ! -e "$work/training.ansi" ] && grep -Eq '^Epoch 1/1 .* 1[0-3][0-9]/200 ' <<<"$text"; then
            cp "$frame" "$work/training.ansi"
        fi
        # The validation bar nested under the second epoch's bar; the latest such frame is the furthest along.
        if grep -A1 '^Epoch 1/1 ' <<<"$text" | grep -q '^Validation '; then
            cp "$frame" "$work/validation.ansi"
        fi
        sleep 0.02
    done
    local status
    status=$(tmux_ display -p -t volt '#{pane_dead_status}')
    capture "$work/end.ansi"
    tmux_ kill-session -t volt
    if [ "$status" != 0 ]; then
        echo "the sample failed (exit $status); its screen:" >&2
        plain "$work/end.ansi" >&2
        exit 1
    fi
    [ -e "$work/training.ansi" ] && [ -e "$work/validation.ansi" ]
}

for attempt in 1 2 3; do
    if record; then
        break
    fi
    [ "$attempt" -eq 3 ] && { echo "three runs and no capture showed both the mid-epoch and the nested validation bar" >&2; exit 1; }
    echo "no capture caught the nested validation bar; running again"
done

mkdir -p "$images"
for shot in training validation end; do
    node "$here/ansi-to-png.mjs" "$work/$shot.ansi" "$images/progress-$shot.png"
    echo "wrote docs/images/progress-$shot.png"
done
