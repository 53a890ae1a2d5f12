# bash completion for sockline(1)
# Installed as share/bash-completion/completions/sockline.

_sockline_services()
{
	awk '!/^#/ && NF { sub(/\/.*/, "", $2); print $1 }' /etc/services \
	    2>/dev/null | sort -u
}

_sockline()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD-1]}
	local opts="-4 -6 -b --backlog -C --crlf -c --sh-exec -d --delay
	    -e --exec -h --help -i --idle-timeout -k --keep-open -l --listen
	    -m --max-conns -n --numeric -o --output -p --source-port
	    -q --quit-after -s --source -U --unix -u --udp -V --version
	    -v --verbose -w --wait -x --hex -z --zero --allow --batch
	    --deny --echo --history --interactive --lockstep --no-history
	    --no-shutdown --no-split --port-file --prompt --raw --recv-only
	    --reply --send-only --timestamps --upper"
	local i word operands=0 skip=0

	COMPREPLY=()
	case $prev in
	-b|--backlog|-q|--quit-after|-d|--delay|-i|--idle-timeout|-w|--wait|\
	-m|--max-conns|--allow|--deny|--reply)
		# A number, an address or free text: nothing to offer.
		return 0
		;;
	-p|--source-port)
		COMPREPLY=($(compgen -W "$(_sockline_services)" -- "$cur"))
		return 0
		;;
	-s|--source)
		COMPREPLY=($(compgen -A hostname -- "$cur"))
		return 0
		;;
	--port-file|-o|--output|--history)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
		;;
	-e|--exec|-c|--sh-exec)
		COMPREPLY=($(compgen -c -- "$cur"))
		return 0
		;;
	--prompt)
		# Free text.
		return 0
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return 0
	fi

	# Count the operands before the cursor: host first, then port.
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		if ((skip)); then
			skip=0
			continue
		fi
		case $word in
		-b|--backlog|-q|--quit-after|-d|--delay|-i|--idle-timeout|\
		-w|--wait|-p|--source-port|-s|--source|--port-file|\
		-m|--max-conns|--allow|--deny|--reply|-e|--exec|-c|--sh-exec|\
		-o|--output|--prompt|--history)
			skip=1 ;;
		-*) ;;
		*) operands=$((operands + 1)) ;;
		esac
	done
	# -U takes one operand, a socket path.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-U|--unix|-[!-]*U*)
			((operands == 0)) && COMPREPLY=($(compgen -f -- "$cur"))
			return 0
			;;
		esac
	done
	if ((operands == 0)); then
		COMPREPLY=($(compgen -A hostname -- "$cur"))
	elif ((operands == 1)); then
		COMPREPLY=($(compgen -W "$(_sockline_services)" -- "$cur"))
	fi
	return 0
}
complete -F _sockline sockline
