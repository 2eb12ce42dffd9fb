import type { AppContext } from "../context.ts";
import { assertNever } from "../shared/assert-never.ts";

/** Shells `completion` writes a script for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
/** One of COMPLETION_SHELLS. */
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/**
 * `completion bash|zsh|fish`: prints a completion script. The scripts ask the lifecycle being completed
 * for its commands and options (`--help`) and phases (`list`) at TAB time, so they never go stale.
 */
export function completionCommand(ctx: AppContext, shell: CompletionShell): number {
  ctx.output.stdout(completionScript(shell));
  return 0;
}

/** The whole script for one shell; it names the command `lifecycle` and runs the binary being completed. */
export function completionScript(shell: CompletionShell): string {
  switch (shell) {
    case "bash":
      return BASH;
    case "zsh":
      return ZSH;
    case "fish":
      return FISH;
    default:
      return assertNever(shell);
  }
}

// Shared by the scripts: how to read cac's help text and `list` output.
const AWK_COMMANDS = `'/^Commands:/{f=1;next} /^[^ ]/{f=0} f&&NF{print $1}'`;
const AWK_OPTIONS = `'/^Options:/{f=1;next} /^[^ ]/{f=0} f&&/^ +-/{for(i=1;i<=NF;i++){w=$i;sub(/,$/,"",w);if(w!~/^-/)break;print w}}'`;
const AWK_VALUE_OPTIONS = `'/^Options:/{f=1;next} /^[^ ]/{f=0} f&&/^ +-/{n=0;for(i=1;i<=NF;i++){w=$i;sub(/,$/,"",w);if(w~/^-/){o[++n]=w}else{if(w~/^[<[]/)for(j=1;j<=n;j++)print o[j];break}}}'`;
const AWK_PHASES = `'$1=="•"{print $2}'`;

const BASH = `# bash completion for lifecycle. Load it now:     source <(lifecycle completion bash)
# or for every shell:  lifecycle completion bash > ~/.local/share/bash-completion/completions/lifecycle
_lifecycle() {
  local bin=\${COMP_WORDS[0]} cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local cmd="" root="" w i help valueopts
  help=$("$bin" --help 2>/dev/null)
  valueopts=" $(awk ${AWK_VALUE_OPTIONS} <<<"$help" | tr '\n' ' ') "
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ $w == --root ]]; then root=\${COMP_WORDS[i+1]}; fi
    if [[ $valueopts == *" $w "* ]]; then ((i++)); continue; fi
    if [[ $w != -* && -z $cmd ]]; then
      cmd=$w
      help=$("$bin" "$cmd" --help 2>/dev/null)
      valueopts=" $(awk ${AWK_VALUE_OPTIONS} <<<"$help" | tr '\n' ' ') "
    fi
  done
  COMPREPLY=()
  case $prev in
    --root) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    -f | --file | --log-file | --summary | --junit | --metrics-file | --trace-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --log-level) COMPREPLY=($(compgen -W "debug info warn error silent" -- "$cur")); return ;;
    --log-format) COMPREPLY=($(compgen -W "human json" -- "$cur")); return ;;
    --output) COMPREPLY=($(compgen -W "stream prefix grouped" -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "text dot json mermaid" -- "$cur")); return ;;
    --remote-cache) COMPREPLY=($(compgen -W "rw r off" -- "$cur")); return ;;
  esac
  if [[ $valueopts == *" $prev "* ]]; then return; fi
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$(awk ${AWK_OPTIONS} <<<"$help") --version" -- "$cur")); return; fi
  case $cmd in
    "") COMPREPLY=($(compgen -W "$(awk ${AWK_COMMANDS} <<<"$help")" -- "$cur")) ;;
    run | pipeline | show | graph) COMPREPLY=($(compgen -W "$("$bin" \${root:+--root} \${root:+"$root"} list 2>/dev/null | awk ${AWK_PHASES})" -- "$cur")) ;;
    state) COMPREPLY=($(compgen -W "show prune reset" -- "$cur")) ;;
    cache) COMPREPLY=($(compgen -W "status clean prune" -- "$cur")) ;;
    completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")) ;;
  esac
}
complete -F _lifecycle lifecycle
`;

const ZSH = `#compdef lifecycle
# zsh completion for lifecycle. Load it now:  source <(lifecycle completion zsh)   (after compinit)
# or for every shell:  lifecycle completion zsh > "\${fpath[1]}/_lifecycle"
_lifecycle() {
  local bin=\${words[1]} cur=\${words[CURRENT]} prev=\${words[CURRENT-1]}
  local cmd="" root="" w i help
  local -a valueopts
  help=$("$bin" --help 2>/dev/null)
  valueopts=(\${(f)"$(awk ${AWK_VALUE_OPTIONS} <<<"$help")"})
  for (( i = 2; i < CURRENT; i++ )); do
    w=\${words[i]}
    [[ $w == --root ]] && root=\${words[i+1]}
    if (( \${valueopts[(Ie)$w]} )); then (( i++ )); continue; fi
    if [[ $w != -* && -z $cmd ]]; then
      cmd=$w
      help=$("$bin" "$cmd" --help 2>/dev/null)
      valueopts=(\${(f)"$(awk ${AWK_VALUE_OPTIONS} <<<"$help")"})
    fi
  done
  case $prev in
    --root) _files -/; return ;;
    -f|--file|--log-file|--summary|--junit|--metrics-file|--trace-file) _files; return ;;
    --log-level) compadd -- debug info warn error silent; return ;;
    --log-format) compadd -- human json; return ;;
    --output) compadd -- stream prefix grouped; return ;;
    --format) compadd -- text dot json mermaid; return ;;
    --remote-cache) compadd -- rw r off; return ;;
  esac
  if (( \${valueopts[(Ie)$prev]} )); then return; fi
  if [[ $cur == -* ]]; then compadd -- \${(f)"$(awk ${AWK_OPTIONS} <<<"$help")"} --version; return; fi
  case $cmd in
    "") compadd -- \${(f)"$(awk ${AWK_COMMANDS} <<<"$help")"} ;;
    run|pipeline|show|graph) compadd -- \${(f)"$("$bin" \${root:+--root} \${root:+"$root"} list 2>/dev/null | awk ${AWK_PHASES})"} ;;
    state) compadd -- show prune reset ;;
    cache) compadd -- status clean prune ;;
    completion) compadd -- bash zsh fish ;;
  esac
}
if [[ "\${funcstack[1]}" == _lifecycle ]]; then _lifecycle "$@"; else compdef _lifecycle lifecycle; fi
`;

const FISH = `# fish completion for lifecycle. Load it now:  lifecycle completion fish | source
# or for every shell:  lifecycle completion fish > ~/.config/fish/completions/lifecycle.fish
function __lifecycle_help --argument-names bin cmd
    if test -n "$cmd"
        command $bin $cmd --help 2>/dev/null
    else
        command $bin --help 2>/dev/null
    end
end
# The subcommand typed so far (empty before it), then the --root value, one per line.
function __lifecycle_state
    set -l tokens (commandline -opc)
    set -l bin $tokens[1]
    set -l valueopts (__lifecycle_help $bin | awk ${AWK_VALUE_OPTIONS})
    set -l cmd ""
    set -l root ""
    set -l skip 0
    set -l prev ""
    for w in $tokens[2..-1]
        if test "$prev" = --root
            set root $w
        end
        set prev $w
        if test $skip = 1
            set skip 0
            continue
        end
        if contains -- $w $valueopts
            set skip 1
            continue
        end
        if test -z "$cmd"; and not string match -q -- '-*' $w
            set cmd $w
            set valueopts (__lifecycle_help $bin $cmd | awk ${AWK_VALUE_OPTIONS})
        end
    end
    echo $cmd
    echo $root
end
function __lifecycle_complete
    set -l tokens (commandline -opc)
    set -l bin $tokens[1]
    set -l cur (commandline -ct)
    set -l state (__lifecycle_state)
    set -l cmd $state[1]
    set -l prev $tokens[-1]
    switch $prev
        case --log-level
            printf '%s\\n' debug info warn error silent; return
        case --log-format
            printf '%s\\n' human json; return
        case --output
            printf '%s\\n' stream prefix grouped; return
        case --format
            printf '%s\\n' text dot json mermaid; return
        case --remote-cache
            printf '%s\\n' rw r off; return
        case --root -f --file --log-file --summary --junit --metrics-file --trace-file
            __fish_complete_path $cur; return
    end
    set -l help (__lifecycle_help $bin $cmd)
    if contains -- $prev (printf '%s\n' $help | awk ${AWK_VALUE_OPTIONS})
        return
    end
    if string match -q -- '-*' $cur
        printf '%s\n' $help | awk ${AWK_OPTIONS}
        echo --version
        return
    end
    switch $cmd
        case ''
            printf '%s\n' $help | awk ${AWK_COMMANDS}
        case run pipeline show graph
            if test -n "$state[2]"
                command $bin --root $state[2] list 2>/dev/null | awk ${AWK_PHASES}
            else
                command $bin list 2>/dev/null | awk ${AWK_PHASES}
            end
        case state
            printf '%s\\n' show prune reset
        case cache
            printf '%s\\n' status clean prune
        case completion
            printf '%s\\n' bash zsh fish
    end
end
complete -c lifecycle -f -a '(__lifecycle_complete)'
`;
