# SPDX-License-Identifier: GPL-3.0-or-later
# bash completion for sockline(1)
# Installed as share/bash-completion/completions/sockline.  Needs only
# bash itself, not the bash-completion package.

# The service names of /etc/services, for ports.
_sockline_services()
{
	awk '!/^#/ && NF { print $1 }' /etc/services 2>/dev/null | sort -u
}

# _sockline_takes_arg WORD: true if WORD is a long option that takes an
# argument.  _sockline_shorts_with_arg: the short ones.
_sockline_takes_arg()
{
	case $1 in
	--backlog|--sh-exec|--delay|--exec|--idle-timeout|--max-conns|\
	--output|--source-port|--quit-after|--source|--wait|--allow|--deny|\
	--history|--port-file|--prompt|--reply|--replay|--script|\
	--tls-alpn|--tls-ca|--tls-cert|--tls-cert-out|--tls-ciphers|\
	--tls-client-ca|--tls-key|--tls-max|--tls-min|--tls-name|--tls-pin|\
	--proxy|--proxy-auth|--proxy-ca|--proxy-server|\
	--tls-keylog|--starttls)
		return 0 ;;
	--proxy-protocol)
		return 0 ;;
	esac
	return 1
}
_sockline_shorts_with_arg=bcdeimopqswX

# _sockline_short WORD: for a word of short options such as -lvp, sets
# _sockline_opt to the option whose argument comes next ("-p"), or to ""
# if the argument is attached ("-ofile") or none is wanted; sets
# _sockline_unix when -U is among them, _sockline_listen for -l.
_sockline_short()
{
	local word=${1#-} c
	_sockline_opt=
	while [[ -n $word ]]; do
		c=${word:0:1}
		word=${word:1}
		[[ $c == U ]] && _sockline_unix=1
		[[ $c == l ]] && _sockline_listen=1
		if [[ $_sockline_shorts_with_arg == *"$c"* ]]; then
			[[ -z $word ]] && _sockline_opt=-$c
			return
		fi
	done
}

_sockline()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= opt= prefix= word
	local opts="-4 -6 -b --backlog -C --crlf -c --sh-exec -d --delay
	    -e --exec -h --help -i --idle-timeout -k --keep-open -l --listen
	    -m --max-conns -n --numeric -o --output -p --source-port
	    -q --quit-after -s --source -U --unix -u --udp -V --version
	    -v --verbose -w --wait -x --hex -z --zero --allow --batch
	    --deny --echo --history --interactive --lockstep --no-commands --no-history
	    --no-shutdown --no-split --port-file --prompt --raw --recv-only
	    --replay --replay-timing --reply --script --send-only
	    --timestamps --upper --tls --ssl --insecure
	    --tls-alpn --tls-ca --tls-cert --tls-cert-out --tls-ciphers
	    --tls-client-ca --tls-key --tls-max --tls-min --tls-name
	    --tls-pin --tls-keylog --starttls --accept-proxy-protocol --broker
	    --chat --proxy-protocol -X --proxy --proxy-auth --proxy-ca
	    --proxy-insecure --proxy-server"
	local i operands=0 _sockline_unix= _sockline_opt= endopts=
	local _sockline_listen= port_opt=
	local IFS=$'\n'

	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}

	# What comes before the cursor: the operands so far, and -U.  With
	# '=' in COMP_WORDBREAKS (the default), --output=FILE is three words.
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		if [[ -n $endopts ]]; then
			operands=$((operands + 1))
			continue
		fi
		case $word in
		--)
			endopts=1 ;;
		--unix)
			_sockline_unix=1 ;;
		--listen)
			_sockline_listen=1 ;;
		--source-port=*)
			port_opt=1 ;;
		--*=*) ;;
		--*)
			[[ $word == --source-port ]] && port_opt=1
			if _sockline_takes_arg "$word"; then
				[[ ${COMP_WORDS[i+1]} == = ]] && i=$((i + 1))
				i=$((i + 1))
			fi
			;;
		-?*)
			_sockline_short "$word"
			[[ $_sockline_opt == -p ]] && port_opt=1
			[[ -n $_sockline_opt ]] && i=$((i + 1))
			;;
		*)
			operands=$((operands + 1)) ;;
		esac
	done

	# Is the word at the cursor an option's argument?
	if [[ -z $endopts ]]; then
		if [[ $cur == = ]] && _sockline_takes_arg "$prev"; then
			opt=$prev cur=
		elif [[ $prev == = ]] && ((COMP_CWORD > 1)) &&
		    _sockline_takes_arg "${COMP_WORDS[COMP_CWORD-2]}"; then
			opt=${COMP_WORDS[COMP_CWORD-2]}
		elif [[ $cur == --*=* ]]; then
			# '=' is not a word break here.
			opt=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}
		elif [[ $prev == --* ]] && _sockline_takes_arg "$prev"; then
			opt=$prev
		elif [[ $prev == -[!-]* ]]; then
			_sockline_short "$prev"
			opt=$_sockline_opt
		fi
	fi

	case $opt in
	"") ;;
	-p|--source-port)
		COMPREPLY=($(compgen -W "$(_sockline_services)" -- "$cur")) ;;
	-s|--source)
		if [[ -n $_sockline_unix ]]; then
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
		else
			COMPREPLY=($(compgen -A hostname -- "$cur"))
		fi
		;;
	-o|--output|--history|--port-file|--replay|--script|--tls-ca|\
	--tls-cert|--tls-cert-out|--tls-client-ca|--tls-key|--tls-keylog|\
	--proxy-ca)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	--proxy-protocol)
		COMPREPLY=($(compgen -W "v1 v2" -- "$cur")) ;;
	--tls-min|--tls-max)
		COMPREPLY=($(compgen -W "1.2 1.3" -- "$cur")) ;;
	--tls-pin)
		COMPREPLY=($(compgen -W "sha256:" -- "$cur")) ;;
	-X)
		COMPREPLY=($(compgen -W "4 5 connect" -- "$cur")) ;;
	--proxy)
		COMPREPLY=($(compgen -W "socks4:// socks4a:// socks5:// socks5h://
		    http:// https://" -- "$cur")) ;;
	--proxy-server)
		COMPREPLY=($(compgen -W "http socks5" -- "$cur")) ;;
	--starttls)
		# A listener plays only the server side of these three.
		if [[ -n $_sockline_listen ]]; then
			COMPREPLY=($(compgen -W "smtp imap pop3" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "smtp lmtp imap pop3 ftp nntp sieve xmpp postgres ldap" -- "$cur"))
		fi
		;;
	-e|--exec|-c|--sh-exec)
		# compgen -c names a command once per place it is found.
		COMPREPLY=($(compgen -c -- "$cur" | LC_ALL=C sort -u)) ;;
	*)
		# A number, an address or free text: nothing to offer.
		;;
	esac
	if [[ -n $opt ]]; then
		((${#COMPREPLY[@]})) && COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
		return 0
	fi

	if [[ -z $endopts && $cur == -* ]]; then
		IFS=$' \t\n'
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return 0
	fi

	# The operands: a socket path with -U; a host, then a port; with
	# -l -p PORT only a host.
	if [[ -n $_sockline_listen && -n $port_opt ]]; then
		((operands == 0)) &&
		    COMPREPLY=($(compgen -A hostname -- "$cur"))
	elif [[ -n $_sockline_unix ]]; then
		if ((operands == 0)); then
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
	elif ((operands == 0)); then
		COMPREPLY=($(compgen -A hostname -- "$cur"))
	elif ((operands == 1)); then
		COMPREPLY=($(compgen -W "$(_sockline_services)" -- "$cur"))
	fi
	return 0
}
complete -F _sockline sockline
