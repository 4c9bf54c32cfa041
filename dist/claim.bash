# bash completion for claim(1) and claimd(8): claim's verbs and each verb's
# options, claimd's options; file names wherever a file is taken.
#
# The lists follow the verb table in client/main.c and claimd's options in
# daemon/main.c; tests/install.py fails, naming what is missing, when a
# verb or an option that --help shows is not here.

_claim_verbs='audit checkpoint diff export grant grants history import independence keygen list log log-key
owner parties party prove publish quote-check reinstate retract revise revoke show stats submit topics trace verify
verify-proof watch'

# Options before or after the verb; the first seven take a value.
_claim_common_valued='--server --key --passphrase-file --feed --server-key
--curve-key --timeout'
_claim_common="$_claim_common_valued --json --help"

# The options of a verb.
_claim_verb_options()
{
	case $1 in
	audit) echo --state --log-key ;;
	checkpoint) echo --log-key ;;
	diff) echo --from --to --topic --party --html --export ;;
	export) echo --out --force --from --to --claimreview --prov --export ;;
	grant | grants | revoke) echo --party ;;
	import) echo --claimreview --topic --admin-key --window ;;
	independence) echo --topic --party --export ;;
	keygen) echo --out --passphrase --force --curve ;;
	list) echo --party --topic ;;
	log) echo --since --party --topic -n --count --no-pager ;;
	owner) echo --publisher ;;
	party) echo --name ;;
	prove) echo --size --log-key --from --to --out --force --old-checkpoint ;;
	publish) echo --out --export --checkpoint --log-key --no-pages --follow ;;
	quote-check) echo --quote ;;
	reinstate) echo --note ;;
	retract) echo --reason ;;
	revise) echo --note --attach ;;
	show | trace) echo --version ;;
	submit) echo --window --attach --records --allow-duplicate ;;
	verify) echo --checkpoint --log-key --admin-key --threads --tiles ;;
	verify-proof) echo --log-key --old-checkpoint ;;
	watch) echo --party --topic --from --wait --count --verify -v --verbose ;;
	esac
}

# The second word of the verbs that have one.
_claim_verb_words()
{
	case $1 in
	party) echo add ;;
	prove) echo inclusion consistency ;;
	esac
}

_claim()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= verb= at=0 i w

	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case " ${_claim_common_valued//$'\n'/ } " in
		*" $w "*)
			((i++))
			continue
			;;
		esac
		case $w in
		-*) ;;
		*)
			verb=$w
			at=$i
			break
			;;
		esac
	done
	COMPREPLY=()
	case $prev in
	# A file: left to readline's file name completion (-o default).
	--key | --passphrase-file | --curve-key | --out | --state | --html | \
	--old-checkpoint | \
		--export | --checkpoint | --attach | --claimreview)
		return
		;;
	# Some other value: nothing to offer.
	--server | --feed | --server-key | --timeout | --log-key | --from | \
		--to | --topic | --party | --name | --size | --quote | --reason | \
		--note | --window | --admin-key | --threads | --count | --since | -n)
		compopt +o default 2>/dev/null
		return
		;;
	--version)
		if [[ -n $verb ]]; then
			compopt +o default 2>/dev/null
			return
		fi
		;;
	esac
	if [[ -z $verb ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$_claim_common --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_claim_verbs" -- "$cur"))
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_claim_verb_options "$verb") \
		    $_claim_common" -- "$cur"))
		return
	fi
	if ((COMP_CWORD == at + 1)) && [[ -n $(_claim_verb_words "$verb") ]]; then
		COMPREPLY=($(compgen -W "$(_claim_verb_words "$verb")" -- "$cur"))
	fi
	# Anything else (submit FILE, verify FILE, an ID): file names.
}
complete -o default -F _claim claim

_claimd_options='--data --api --pub --admin-key --curve-key --allow --origin
--workers --feed-hwm --mirror --log-key --upstream-key --relay --check --backup -v --verbose
-h --help --version'

_claimd()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=

	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	case $prev in
	--data | --check | --backup)
		compopt -o dirnames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--curve-key | --allow)
		return
		;;
	--api | --pub | --admin-key | --origin | --workers | --feed-hwm | \
		--mirror | --log-key | --upstream-key | --relay)
		compopt +o default 2>/dev/null
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$_claimd_options" -- "$cur"))
	fi
}
complete -o default -F _claimd claimd
