# cofetch.bash: bash completion for cofetch(1).
#
# Install as $PREFIX/share/bash-completion/completions/cofetch, or source
# it from ~/.bashrc. Needs nothing from the bash-completion package.

_cofetch_kinds="invalid_input invalid_url dns connect tls timeout send recv
protocol too_many_redirects too_large http cancelled write internal"

# Fill COMPREPLY with compgen's words, one a line, so that file names with
# spaces stay whole; each is prefixed with $pre (set by _cofetch) when the
# word being completed is a whole "--opt=value".
_cofetch_reply()
{
	local line

	COMPREPLY=()
	while IFS= read -r line; do
		COMPREPLY+=("$pre$line")
	done < <(compgen "$@")
}

_cofetch()
{
	local cur prev pre opts longopts base list
	local IFS=$' \t\n'

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	pre=
	[[ $COMP_CWORD -gt 0 ]] && prev=${COMP_WORDS[COMP_CWORD-1]}

	# "--opt=value" arrives as "--opt" "=" "value" when '=' is in
	# COMP_WORDBREAKS (the default), or as one word when it is not.
	if [[ $cur == = && $prev == --* ]]; then
		prev="$prev="
		cur=
	elif [[ $prev == = && $COMP_CWORD -gt 1 &&
	    ${COMP_WORDS[COMP_CWORD-2]} == --* ]]; then
		prev="${COMP_WORDS[COMP_CWORD-2]}="
	elif [[ $cur == --*=* ]]; then
		prev="${cur%%=*}="
		pre=$prev
		cur=${cur#*=}
	fi

	case $prev in
	--body|--body=)
		_cofetch_reply -W 'auto text base64 json none' -- "$cur"
		return 0
		;;
	-i|--input|--input=|-o|--output|--output=|--config|--config=|\
	--netrc-file|--netrc-file=|--cacert|--cacert=|--cert|--cert=|\
	--key|--key=|--cookie|--cookie=|--cookie-jar|--cookie-jar=)
		_cofetch_reply -f -- "$cur"
		compopt -o filenames 2>/dev/null
		return 0
		;;
	--save|--save=|--capath|--capath=)
		_cofetch_reply -d -- "$cur"
		compopt -o filenames 2>/dev/null
		return 0
		;;
	--save-as|--save-as=)
		return 0
		;;
	--state|--state=|--metrics|--metrics=)
		_cofetch_reply -f -- "$cur"
		compopt -o filenames 2>/dev/null
		return 0
		;;
	-d|--data|--data=|--data-binary|--data-binary=|-H|--header|--header=)
		if [[ $cur == @* ]]; then
			_cofetch_reply -P @ -f -- "${cur#@}"
			compopt -o filenames 2>/dev/null
		fi
		return 0
		;;
	-X|--method|--method=)
		_cofetch_reply -W 'GET HEAD POST PUT DELETE PATCH OPTIONS
		    TRACE' -- "$cur"
		return 0
		;;
	--retry-on|--retry-on=)
		# A comma-separated list: complete its last item.
		base=
		[[ $cur == *,* ]] && base=${cur%,*},
		list="$_cofetch_kinds none 408 425 429 500 502 503 504"
		_cofetch_reply -P "$base" -W "$list" -- "${cur##*,}"
		compopt -o nospace 2>/dev/null
		return 0
		;;
	-x|--proxy|--proxy=)
		_cofetch_reply -W 'http:// https:// socks4:// socks5://
		    socks5h://' -- "$cur"
		compopt -o nospace 2>/dev/null
		return 0
		;;
	-c|--concurrency|--concurrency=|--per-host|--per-host=|\
	-r|--rate|--rate=|--per-host-rate|--per-host-rate=|\
	-t|--timeout|--timeout=|--connect-timeout|--connect-timeout=|\
	--retries|--retries=|--retry-delay|--retry-delay=|\
	--retry-max-delay|--retry-max-delay=|--retry-max-time|\
	--retry-max-time=|-A|--user-agent|--user-agent=|\
	--max-redirs|--max-redirs=|--max-size|--max-size=|\
	--shard|--shard=|-P|--processes|--processes=|\
	-u|--user|--user=|--resolve|--resolve=|\
	--connect-to|--connect-to=)
		# A value of the user's own: nothing to offer.
		return 0
		;;
	esac

	if [[ $cur == -* ]]; then
		opts='-i -o -c -r -t -X -I -H -d -A -u -k -x -4 -6 -b -P -q
		    -v -h -V'
		longopts='--input --output --concurrency --per-host --queue --adaptive --robots --rate
		    --per-host-rate --timeout --connect-timeout --retries
		    --retry-on --retry-delay --retry-max-delay
		    --retry-max-time --retry-unsafe --ordered
		    --method --head --header --data --data-binary --user-agent
		    --user --digest --netrc --netrc-file --cacert --capath
		    --cert --key --resolve --connect-to --ipv4 --ipv6 --cookie
		    --cookie-jar --config --no-config --no-follow
		    --max-redirs --insecure --proxy --http1.1 --http2
		    --http2-prior-knowledge --no-compress --max-size --body
		    --body= --headers --save --save-as --resume --shard
		    --processes --progress
		    --no-progress --stats --state --hash --only-changed
		    --metrics --metrics-per-host --quiet --verbose --help --version'
		if [[ $cur == --* ]]; then
			_cofetch_reply -W "$longopts" -- "$cur"
		else
			_cofetch_reply -W "$opts $longopts" -- "$cur"
		fi
		if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
			compopt -o nospace 2>/dev/null
		fi
		return 0
	fi

	# Anything else is a URL: nothing to complete from.
	return 0
}

complete -F _cofetch cofetch
