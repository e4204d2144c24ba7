# Sourced by the bench scripts; needs $work (a scratch directory) and /usr/bin/time.
#
# measure NAME DIR CMD...: runs CMD in DIR and sets NAME_s (wall seconds) and NAME_kb
# (max RSS of the command and its children); its stderr is kept in $work/NAME.err.
measure() {
	local name=$1 dir=$2
	shift 2
	(cd "$dir" && /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.err") ||
		{ cat "$work/$name.err"; exit 1; }
	read -r secs kb <"$work/$name.time"
	eval "${name}_s=$secs ${name}_kb=$kb"
}

# ratio A B: A / B, e.g. `2.5x`.
ratio() { python3 -c "print(f'{$1/max($2,0.001):.2f}x')"; }
